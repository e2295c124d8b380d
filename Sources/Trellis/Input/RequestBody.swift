import Hummingbird
import NIOCore

extension Request {
    /// The body as a JSON object. Fails with:
    /// - 415 when the `Content-Type` is not JSON (``JSONMediaType``), so that no cross-site
    ///   "simple" request (a form, `text/plain`) gets its body read;
    /// - 413 over the context's upload limit;
    /// - 400 when it is not JSON, or an object in it has a duplicate key (the message says where);
    /// - 422 when it is JSON but not an object, or when a string anywhere in a top-level member
    ///   (object keys included) holds the NUL character, which PostgreSQL stores in neither `text`
    ///   nor `jsonb`: `details` names each such top-level key.
    public func jsonObject(context: TrellisRequestContext) async throws -> [String: JSONValue] {
        guard JSONMediaType.matches(headers[.contentType]) else { throw APIError.unsupportedMediaType }
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

extension Request {
    /// The body as a JSON object, or an empty one when there is no body: for operations whose body
    /// is optional (an action without input, declining an invitation). A body that is sent must be
    /// JSON, as for ``jsonObject(context:)``.
    public func optionalJSONObject(context: TrellisRequestContext) async throws -> [String: JSONValue] {
        // A labelled body is checked before it is read; an unlabelled one is read to learn if it is empty.
        if headers[.contentType] != nil { return try await jsonObject(context: context) }
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return [:] }
        return try await request.jsonObject(context: context)  // 415: a body without a media type
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

/// The media types a JSON body may be sent as: `application/json` and `application/<name>+json`
/// (`application/merge-patch+json`, `application/vnd.api+json`), in any case, with parameters
/// such as `; charset=utf-8`.
enum JSONMediaType {
    /// Whether the `Content-Type` value names JSON; nil (no header) does not.
    static func matches(_ contentType: String?) -> Bool {
        guard var essence = contentType?.utf8[...] else { return false }
        if let semicolon = essence.firstIndex(of: UInt8(ascii: ";")) { essence = essence[..<semicolon] }
        while let first = essence.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { essence.removeFirst() }
        while let last = essence.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { essence.removeLast() }
        guard hasPrefix(essence, "application/") else { return false }
        let subtype = essence.dropFirst("application/".utf8.count)
        if equal(subtype, "json") { return true }
        // `<name>+json`: a non-empty name of token characters.
        let name = subtype.dropLast("+json".utf8.count)
        return subtype.count > "+json".utf8.count && equal(subtype.dropFirst(name.count), "+json")
            && name.allSatisfy { $0 > 0x20 && $0 < 0x7F && !#"()<>@,;:\"/[]?={}"#.utf8.contains($0) }
    }

    private static func hasPrefix(_ bytes: Substring.UTF8View, _ prefix: StaticString) -> Bool {
        bytes.count >= prefix.utf8CodeUnitCount && equal(bytes.prefix(prefix.utf8CodeUnitCount), prefix)
    }

    /// ASCII case-insensitive equality with a lowercase literal.
    private static func equal(_ bytes: Substring.UTF8View, _ literal: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        return bytes.count == expected.count
            && zip(bytes, expected).allSatisfy { byte, lower in (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == lower }
    }
}
