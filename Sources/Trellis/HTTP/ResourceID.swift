import Foundation
import Hummingbird

extension TrellisRequestContext {
    /// The `:id` path parameter as a UUID; anything else answers 404 (no such resource).
    public func resourceID(_ name: String = "id") throws(APIError) -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else {
            throw APIError.notFound()
        }
        return id
    }
}
