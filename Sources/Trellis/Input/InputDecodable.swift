import Foundation
import NIOCore
import PostgresNIO

/// A type that can be read from one JSON value of a request body.
public protocol InputDecodable: Sendable, Hashable {
    /// The value, or nil when the JSON has the wrong type or form.
    static func decode(input value: JSONValue) -> Self?
    /// What a client must send, as shown in a validation message: "must be a string".
    static var expectation: String { get }
}

extension String: InputDecodable {
    public static func decode(input value: JSONValue) -> String? {
        if case .string(let string) = value { return string }
        return nil
    }
    public static var expectation: String { "must be a string" }
}

extension Bool: InputDecodable {
    public static func decode(input value: JSONValue) -> Bool? {
        if case .bool(let bool) = value { return bool }
        return nil
    }
    public static var expectation: String { "must be true or false" }
}

extension Int32: InputDecodable {
    public static func decode(input value: JSONValue) -> Int32? {
        if case .integer(let integer) = value { return Int32(exactly: integer) }
        return nil
    }
    public static var expectation: String { "must be an integer between \(Int32.min) and \(Int32.max)" }
}

extension Int64: InputDecodable {
    public static func decode(input value: JSONValue) -> Int64? {
        if case .integer(let integer) = value { return integer }
        return nil
    }
    public static var expectation: String { "must be an integer" }
}

extension UUID: InputDecodable {
    public static func decode(input value: JSONValue) -> UUID? {
        if case .string(let string) = value { return UUID(uuidString: string) }
        return nil
    }
    public static var expectation: String { "must be a UUID" }
}

extension Decimal: InputDecodable {
    public static func decode(input value: JSONValue) -> Decimal? {
        guard case .string(let string) = value, Self.isPlainDecimal(string) else { return nil }
        return Decimal(string: string, locale: Locale(identifier: "en_US_POSIX"))
    }
    public static var expectation: String { #"must be a decimal number written as a string, like "12.50""# }

    /// `-12.50`, `3`, `0.125`: an optional minus, digits, an optional fraction. No exponent.
    static func isPlainDecimal(_ string: String) -> Bool {
        var digits = Substring(string)
        if digits.first == "-" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }
    }
}

extension Timestamp: InputDecodable {
    public static func decode(input value: JSONValue) -> Timestamp? {
        if case .string(let string) = value { return Timestamp(rfc3339: string) }
        return nil
    }
    public static var expectation: String { "must be an RFC 3339 date-time, like 2026-01-31T09:30:00Z" }
}

extension CalendarDate: InputDecodable {
    public static func decode(input value: JSONValue) -> CalendarDate? {
        if case .string(let string) = value { return CalendarDate(string) }
        return nil
    }
    public static var expectation: String { "must be a date, like 2026-01-31" }
}

extension JSONValue: InputDecodable {
    public static func decode(input value: JSONValue) -> JSONValue? { value }
    public static var expectation: String { "must be JSON" }
}

/// A generated enum stored as text: its raw values are the API's and the database's.
public protocol StringEnum: InputDecodable, RawRepresentable, CaseIterable, Codable, JSONWritable, PostgresCodable
where RawValue == String {}

extension StringEnum {
    public static func decode(input value: JSONValue) -> Self? {
        if case .string(let string) = value { return Self(rawValue: string) }
        return nil
    }

    public static var expectation: String {
        "must be one of: " + allCases.map(\.rawValue).joined(separator: ", ")
    }

    @inlinable
    public func writeJSON(into buffer: inout ByteBuffer) {
        buffer.writeJSONString(rawValue)
    }
}

extension StringEnum {
    public static var psqlType: PostgresDataType { .text }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(rawValue)
    }

    // Inlinable, so that each generated enum decodes its column through a specialized copy
    // rather than this extension's generic one.
    @inlinable
    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard let text = buffer.readString(length: buffer.readableBytes), let value = Self(rawValue: text) else {
            throw PostgresDecodingError.Code.failure
        }
        self = value
    }
}
