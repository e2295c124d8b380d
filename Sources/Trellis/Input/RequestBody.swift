import Hummingbird
import NIOCore

extension Request {
    /// The body as a JSON object: 413 over the context's upload limit, 400 when it is not JSON or an
    /// object in it has a duplicate key (the message says where), 422 when it is JSON but not an
    /// object.
    public func jsonObject(context: TrellisRequestContext) async throws -> [String: JSONValue] {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw APIError(.badRequest, "The request body is empty; send a JSON object.")
        }
        let value: JSONValue
        do throws(JSONValue.ParseError) {
            value = try JSONValue.parse(buffer)
        } catch {
            // "The body is not valid JSON (line 1, column 9)."
            throw APIError(.badRequest, error.description.prefix(1).uppercased() + error.description.dropFirst() + ".")
        }
        guard case .object(let object) = value else {
            throw APIError(.validationError, "The request body must be a JSON object.", details: ["body": ["must be an object"]])
        }
        return object
    }
}
