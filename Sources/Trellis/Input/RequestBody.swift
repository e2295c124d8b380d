import Hummingbird
import NIOCore

extension Request {
    /// The body as a JSON object: 413 over the context's upload limit, 400 when it is not JSON,
    /// 422 when it is JSON but not an object.
    public func jsonObject(context: TrellisRequestContext) async throws -> [String: JSONValue] {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw APIError(.badRequest, "The request body is empty; send a JSON object.")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(buffer)
        } catch {
            throw APIError(.badRequest, "The request body is not valid JSON.")
        }
        guard case .object(let object) = value else {
            throw APIError(.validationError, "The request body must be a JSON object.", details: ["body": ["must be an object"]])
        }
        return object
    }
}
