import NIOCore
import PostgresNIO

/// A calendar day without a time or time zone (`2026-01-31`), PostgreSQL `date`.
///
/// Always valid: years 1...9999 of the proleptic Gregorian calendar, real days of real months.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The year, 1...9999.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, from 1 to 28...31 depending on the month and year.
    public let day: Int

    /// The date `year-month-day`, or nil if there is no such day (`2026-02-30`, month 13,
    /// year 0 or 10000).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CivilCalendar.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day); nil otherwise.
    public init?(_ description: String) {
        let parsed =
            description.utf8.withContiguousStorageIfAvailable(Self.parse)
            ?? Array(description.utf8).withUnsafeBufferPointer(Self.parse)
        guard let parsed else { return nil }
        self = parsed
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<start + count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 (negative before).
    var daysSinceEpoch: Int { CivilCalendar.days(year: year, month: month, day: day) }

    /// The date `days` days after 1970-01-01, or nil outside years 1...9999.
    init?(daysSinceEpoch days: Int) {
        let (year, month, day) = CivilCalendar.date(days: days)
        self.init(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD`, for example `2026-01-31`.
    public var description: String {
        String(unsafeUninitializedCapacity: 10) { (bytes: UnsafeMutableBufferPointer<UInt8>) in
            format(into: UnsafeMutableRawBufferPointer(bytes))
        }
    }

    /// Writes ``description`` (10 bytes) into `buffer` without building a `String`.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 10) { bytes in
            format(into: bytes)
        }
    }

    private func format(into output: UnsafeMutableRawBufferPointer) -> Int {
        output[0] = UInt8(truncatingIfNeeded: 0x30 + year / 1000)
        output[1] = UInt8(truncatingIfNeeded: 0x30 + year / 100 % 10)
        output[2] = UInt8(truncatingIfNeeded: 0x30 + year / 10 % 10)
        output[3] = UInt8(truncatingIfNeeded: 0x30 + year % 10)
        output[4] = UInt8(ascii: "-")
        output[5] = UInt8(truncatingIfNeeded: 0x30 + month / 10)
        output[6] = UInt8(truncatingIfNeeded: 0x30 + month % 10)
        output[7] = UInt8(ascii: "-")
        output[8] = UInt8(truncatingIfNeeded: 0x30 + day / 10)
        output[9] = UInt8(truncatingIfNeeded: 0x30 + day % 10)
        return 10
    }

    /// Chronological order.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

// MARK: - Codable

extension CalendarDate: Codable {
    /// Decodes `YYYY-MM-DD` text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = CalendarDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Expected a date such as 2026-01-31.")
        }
        self = value
    }

    /// Encodes ``description``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// MARK: - PostgreSQL

extension CalendarDate: PostgresNonThrowingEncodable, PostgresDecodable {
    /// Days between the Unix epoch and PostgreSQL's (2000-01-01).
    private static let postgresEpochDays = 10_957

    /// `date`.
    public static var psqlType: PostgresDataType { .date }
    /// Binary: an `Int32` of days since 2000-01-01.
    public static var psqlFormat: PostgresFormat { .binary }

    /// Writes the binary `date` value.
    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        // Years 1...9999 are within ±3 million days: always fits.
        byteBuffer.writeInteger(Int32(truncatingIfNeeded: daysSinceEpoch - Self.postgresEpochDays))
    }

    /// Reads a binary `date`; dates outside years 1...9999 (BC dates, `infinity`) fail.
    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard format == .binary, type == .date else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        guard buffer.readableBytes == 4, let days = buffer.readInteger(as: Int32.self),
            let value = CalendarDate(daysSinceEpoch: Int(days) + Self.postgresEpochDays)
        else {
            throw PostgresDecodingError.Code.failure
        }
        self = value
    }
}
