import Foundation
import HummingbirdTesting

extension TestResponse {
    /// The `error` object of an error envelope (empty when the body is not one).
    var error: [String: Any] {
        get throws {
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            return object?["error"] as? [String: Any] ?? [:]
        }
    }
}
