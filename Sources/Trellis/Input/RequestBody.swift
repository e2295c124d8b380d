import Hummingbird
import NIOCore

extension Request {
    /// The body as a JSON object. Fails with:
    /// - 413 over the context's upload limit;
    /// - 400 when it is not JSON, or an object in it has a duplicate key (the message says where);
    /// - 422 when it is JSON but not an object, or when a string anywhere in a top-level member
    ///   (object keys included) holds the NUL character, which PostgreSQL stores in neither `text`
    ///   nor `jsonb`: `details` names each such top-level key.
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
        var details: [String: [String]] = [:]
        for (key, member) in object where key.utf8.contains(0) || member.containsNUL {
            details[key] = ["must not contain the NUL character"]
        }
        guard details.isEmpty else { throw APIError.validation(details) }
        return object
    }
}

extension JSONValue {
    /// Whether a string anywhere in the value, object keys included, holds the NUL character.
    var containsNUL: Bool {
        switch self {
        case .string(let string): return string.utf8.contains(0)
        case .array, .object: break
        case .null, .bool, .number, .integer: return false
        }
        var pending = [self]  // a stack, not recursion: nesting can be deep
        while let value = pending.popLast() {
            switch value {
            case .string(let string):
                if string.utf8.contains(0) { return true }
            case .array(let elements):
                pending.append(contentsOf: elements)
            case .object(let members):
                for (key, member) in members {
                    if key.utf8.contains(0) { return true }
                    pending.append(member)
                }
            case .null, .bool, .number, .integer:
                break
            }
        }
        return false
    }
}
