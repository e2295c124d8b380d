import Foundation
import NIOCore
import PostgresNIO

/// Any JSON value: request bodies are read into it, `json` fields are stored as it (`jsonb`).
///
/// Integral numbers that fit in 64 bits are ``integer(_:)``, other numbers ``number(_:)``, so
/// `1` and `1.5` keep their difference. Writing it (``writeJSON(into:)``) gives compact JSON with
/// object keys sorted, so equal values always produce the same bytes.
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number that is not an integer within `Int64`: a fraction, or an integer too large.
    case number(Double)
    /// An integral number that fits in `Int64`.
    case integer(Int64)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// The JSON type's name for messages: "null", "boolean", "number", "integer", "string",
    /// "array" or "object".
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .integer: "integer"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

// MARK: - Parsing

extension JSONValue {
    /// Text that is not valid JSON, or an object in it with a duplicate key. Its ``description``
    /// is safe to show to clients: a fixed message (naming the duplicate key) plus, when known,
    /// where the problem is.
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        /// What is wrong, for people: "the body is not valid JSON".
        public var message: String
        /// The 1-based line of the first syntax error, when known.
        public var line: Int?
        /// The 1-based column (in characters) of the first syntax error, when known.
        public var column: Int?

        /// An error with `message`, at `line` and `column` when known.
        public init(message: String = "the body is not valid JSON", line: Int? = nil, column: Int? = nil) {
            self.message = message
            self.line = line
            self.column = column
        }

        /// An object with two members named `key`, at the second one's `line` and `column`:
        /// "the body has a duplicate key "name"" (a long key is cut short).
        public static func duplicateKey(_ key: String, line: Int? = nil, column: Int? = nil) -> Self {
            var quoted = ByteBuffer()
            quoted.writeJSONString(key.count > 64 ? String(key.prefix(63)) + "…" : key)
            return Self(message: "the body has a duplicate key \(String(buffer: quoted))", line: line, column: column)
        }

        /// The message, with the position when known: "the body is not valid JSON (line 1, column 9)".
        public var description: String {
            guard let line, let column else { return message }
            return "\(message) (line \(line), column \(column))"
        }
    }

    /// Parses one JSON value (RFC 8259, no JSON5; whitespace around it is allowed).
    ///
    /// The text is first checked for strict RFC 8259 syntax, which also locates errors (Foundation's
    /// parser does not report positions and tolerates trailing commas), and for duplicate keys
    /// (Foundation's keeps one of the values), then decoded with Foundation's `JSONDecoder`.
    public static func parse(_ buffer: ByteBuffer) throws(ParseError) -> JSONValue {
        let result: Result<JSONValue, ParseError> = buffer.withUnsafeReadableBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            switch JSONSyntaxChecker.firstFailure(in: bytes) {
            case .syntax(let offset):
                return .failure(ParseError(position: offset, in: bytes))
            case .duplicateName(let offset, let name):
                let position = ParseError(position: offset, in: bytes)
                return .failure(.duplicateKey(name, line: position.line, column: position.column))
            case nil:
                break
            }
            guard let base = raw.baseAddress else { return .failure(ParseError()) }
            // The bytes outlive this synchronous decode, so no copy is needed.
            let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none)
            do {
                return .success(try decoder.decode(JSONValue.self, from: data))
            } catch {
                // Valid syntax that Foundation still refuses: a number beyond Double's range,
                // invalid UTF-8, nesting too deep.
                return .failure(ParseError())
            }
        }
        return try result.get()
    }

    /// Shared: `JSONDecoder` is thread-safe and its configuration never changes.
    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = false
        return decoder
    }()
}

extension JSONValue.ParseError {
    /// An error at byte `offset` of `bytes`, converted to line and column.
    fileprivate init(position offset: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        var line = 1
        var column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
                column += 1
            }
        }
        self.init(line: line, column: column)
    }
}

// MARK: - Codable

extension JSONValue: Codable {
    /// Decodes any JSON value; an integral number that fits in `Int64` becomes ``integer(_:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Most common first: every failed attempt costs a thrown error.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else {
            self = .array(try container.decode([JSONValue].self))
        }
    }

    /// Encodes the value as the JSON value it stands for.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

// MARK: - Writing

extension JSONValue: JSONWritable {
    /// Compact JSON (no whitespace), object keys sorted so the output is deterministic.
    /// Non-finite ``number(_:)`` values are written as `null`.
    public func writeJSON(into buffer: inout ByteBuffer) {
        switch self {
        case .null: buffer.writeStaticString("null")
        case .bool(let value): value.writeJSON(into: &buffer)
        case .number(let value): value.writeJSON(into: &buffer)
        case .integer(let value): value.writeJSON(into: &buffer)
        case .string(let value): buffer.writeJSONString(value)
        case .array(let values): values.writeJSON(into: &buffer)
        case .object(let members):
            buffer.writeInteger(UInt8(ascii: "{"))
            var first = true
            for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                if first { first = false } else { buffer.writeInteger(UInt8(ascii: ",")) }
                buffer.writeJSONString(key)
                buffer.writeInteger(UInt8(ascii: ":"))
                value.writeJSON(into: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }
}

// MARK: - PostgreSQL

extension JSONValue: PostgresNonThrowingEncodable, PostgresDecodable {
    /// `jsonb`.
    public static var psqlType: PostgresDataType { .jsonb }
    /// Binary `jsonb`: a version byte (1) followed by the JSON text.
    public static var psqlFormat: PostgresFormat { .binary }

    /// Writes binary `jsonb`: the version byte 1, then compact JSON.
    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(UInt8(1))
        writeJSON(into: &byteBuffer)
    }

    /// Reads `jsonb` (binary with its version byte, or text) or `json` (text in both formats).
    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        switch (type, format) {
        case (.jsonb, .binary):
            guard buffer.readInteger(as: UInt8.self) == 1 else { throw PostgresDecodingError.Code.failure }
        case (.json, _), (.jsonb, .text):
            break
        default:
            throw PostgresDecodingError.Code.typeMismatch
        }
        do {
            self = try JSONValue.parse(buffer)
        } catch {
            throw PostgresDecodingError.Code.failure
        }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
    }
}
