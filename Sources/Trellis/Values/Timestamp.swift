import Foundation
import NIOCore
import PostgresNIO

/// A UTC instant with microsecond precision, exact end to end: PostgreSQL `timestamptz` on one
/// side, RFC 3339 text (`2026-01-02T03:04:05.123456Z`) on the other.
///
/// Foundation's `Date` is a `Double` and rounds microseconds, which breaks keyset pagination
/// (a cursor must compare equal to the row it came from); this type never rounds. Formatting
/// and parsing are hand-written (no `DateFormatter`, no `Calendar`) and allocation-free.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z (negative before it).
    public var microsecondsSinceEpoch: Int64

    /// The instant `microsecondsSinceEpoch` microseconds after 1970-01-01T00:00:00Z.
    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// The current wall-clock time (`CLOCK_REALTIME`), truncated to the microsecond.
    public static func now() -> Timestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(microsecondsSinceEpoch: Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec / 1000))
    }

    /// The instant of `date`, rounded to the nearest microsecond.
    ///
    /// Exact for any `Date` made from a ``Timestamp`` (``date``) within a few centuries of
    /// 2001; dates beyond the representable range (about ±292,000 years) saturate.
    public init(_ date: Date) {
        let interval = date.timeIntervalSinceReferenceDate
        // Split into whole seconds and a fraction first: both steps are exact in Double, so only
        // the fraction gets rounded (multiplying the whole interval by 10^6 would round twice).
        let seconds = interval.rounded(.down)
        guard interval.isFinite, abs(seconds) < 9.2e12 else {
            self.init(microsecondsSinceEpoch: interval < 0 ? .min : .max)
            return
        }
        let micros = Int64(((interval - seconds) * 1_000_000).rounded())
        let unixSeconds = Int64(seconds) + Self.referenceDateUnixSeconds
        self.init(microsecondsSinceEpoch: unixSeconds * 1_000_000 + micros)
    }

    /// This instant as a Foundation `Date` (a `Double`, so precision is lost far from 2001).
    public var date: Date {
        let micros = microsecondsSinceEpoch.subtractingReportingOverflow(Self.referenceDateUnixSeconds * 1_000_000)
        guard !micros.overflow else { return .distantPast }
        return Date(timeIntervalSinceReferenceDate: Double(micros.partialValue) / 1_000_000)
    }

    /// Seconds between 1970-01-01 and Foundation's reference date 2001-01-01.
    private static let referenceDateUnixSeconds: Int64 = 978_307_200

    /// Compares instants.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// ``rfc3339``.
    public var description: String { rfc3339 }
}

// MARK: - RFC 3339 text

extension Timestamp {
    /// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` or an
    /// offset `±HH:MM`, for example `2026-01-02T03:04:05.123456Z` or `2026-01-02T04:04:05+01:00`.
    ///
    /// A lowercase `t`/`z` and a space instead of `T` are accepted. The fraction has 1 to 9
    /// digits and is truncated to microseconds. Returns nil for anything else, including
    /// impossible dates and times (`2026-02-30`, hour 24, leap second 60) and instants that fall
    /// outside years 0000...9999 once the offset is applied.
    public init?(rfc3339 text: some StringProtocol) {
        let parsed =
            text.utf8.withContiguousStorageIfAvailable(Self.parse)
            ?? Array(text.utf8).withUnsafeBufferPointer(Self.parse)
        guard let parsed else { return nil }
        self.init(microsecondsSinceEpoch: parsed)
    }

    /// This instant as RFC 3339 UTC text with exactly six fractional digits,
    /// `2026-01-02T03:04:05.123456Z`, so that text order is time order and parsing gives back the
    /// same value.
    ///
    /// Instants outside years 0000...9999 (which RFC 3339 cannot express) use ISO 8601 expanded
    /// years instead, such as `+10000-01-01T00:00:00.000000Z` or `-0001-12-31T23:00:00.000000Z`.
    public var rfc3339: String {
        String(unsafeUninitializedCapacity: Self.maximumTextLength) { (bytes: UnsafeMutableBufferPointer<UInt8>) in
            format(into: UnsafeMutableRawBufferPointer(bytes))
        }
    }

    /// Writes ``rfc3339`` into `buffer` without building a `String`.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maximumTextLength) { bytes in
            format(into: bytes)
        }
    }

    /// 27 bytes for years 0000...9999; up to 30 with an expanded year (6 digits and a sign).
    private static let maximumTextLength = 32

    /// Writes the text into `output` (at least ``maximumTextLength`` bytes), returning its length.
    private func format(into output: UnsafeMutableRawBufferPointer) -> Int {
        let (seconds, micros) = microsecondsSinceEpoch.flooredDivision(by: 1_000_000)
        let (days, secondOfDay) = seconds.flooredDivision(by: 86_400)
        let (year, month, day) = CivilCalendar.date(days: Int(days))
        var index = 0
        func put(_ value: Int, width: Int) {
            var rest = value
            var position = index + width
            while position > index {
                position -= 1
                output[position] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                rest /= 10
            }
            index += width
        }
        func put(_ byte: UInt8) {
            output[index] = byte
            index += 1
        }
        if (0...9999).contains(year) {
            put(year, width: 4)
        } else {
            put(year < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            var width = 4
            var limit = 10_000
            while abs(year) >= limit {
                width += 1
                limit *= 10
            }
            put(abs(year), width: width)
        }
        put(UInt8(ascii: "-"))
        put(month, width: 2)
        put(UInt8(ascii: "-"))
        put(day, width: 2)
        put(UInt8(ascii: "T"))
        put(Int(secondOfDay / 3600), width: 2)
        put(UInt8(ascii: ":"))
        put(Int(secondOfDay % 3600 / 60), width: 2)
        put(UInt8(ascii: ":"))
        put(Int(secondOfDay % 60), width: 2)
        put(UInt8(ascii: "."))
        put(Int(micros), width: 6)
        put(UInt8(ascii: "Z"))
        return index
    }

    /// Microseconds since the Unix epoch of an RFC 3339 date-time, or nil.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for index in start..<start + count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        /// The byte at `index`, or 0 past the end.
        func byte(_ index: Int) -> UInt8 {
            index < bytes.count ? bytes[index] : 0
        }
        let separator = byte(10)
        guard let year = number(0, 4), byte(4) == UInt8(ascii: "-"),
            let month = number(5, 2), byte(7) == UInt8(ascii: "-"),
            let day = number(8, 2),
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
            let hour = number(11, 2), byte(13) == UInt8(ascii: ":"),
            let minute = number(14, 2), byte(16) == UInt8(ascii: ":"),
            let second = number(17, 2),
            (1...12).contains(month), (1...CivilCalendar.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }

        var index = 19
        var micros = 0
        if byte(index) == UInt8(ascii: ".") {
            index += 1
            let start = index
            var scale = 100_000
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                micros += Int(bytes[index] &- UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard (1...9).contains(index - start) else { return nil }
        }

        var offsetSeconds = 0
        let zone = byte(index)
        if zone == UInt8(ascii: "Z") || zone == UInt8(ascii: "z") {
            index += 1
        } else if zone == UInt8(ascii: "+") || zone == UInt8(ascii: "-") {
            guard let offsetHours = number(index + 1, 2), byte(index + 3) == UInt8(ascii: ":"),
                let offsetMinutes = number(index + 4, 2), offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offsetSeconds = offsetHours * 3600 + offsetMinutes * 60
            if zone == UInt8(ascii: "-") { offsetSeconds = -offsetSeconds }
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }

        let days = CivilCalendar.days(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        guard (minimumRFC3339Seconds...maximumRFC3339Seconds).contains(seconds) else { return nil }
        return seconds * 1_000_000 + Int64(micros)
    }

    /// 0000-01-01T00:00:00Z in Unix seconds.
    private static let minimumRFC3339Seconds: Int64 = -62_167_219_200
    /// 9999-12-31T23:59:59Z in Unix seconds.
    private static let maximumRFC3339Seconds: Int64 = 253_402_300_799
}

extension Int64 {
    /// Quotient rounded toward negative infinity, and the remainder in `0..<divisor`.
    fileprivate func flooredDivision(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = self % divisor
        return remainder < 0 ? (self / divisor - 1, remainder + divisor) : (self / divisor, remainder)
    }
}

// MARK: - Codable

extension Timestamp: Codable {
    /// Decodes RFC 3339 text (any form ``init(rfc3339:)`` accepts).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Timestamp(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "Expected an RFC 3339 date-time such as 2026-01-02T03:04:05.123456Z."
            )
        }
        self = value
    }

    /// Encodes ``rfc3339``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }
}

// MARK: - PostgreSQL

extension Timestamp: PostgresNonThrowingEncodable, PostgresDecodable {
    /// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01T00:00:00Z).
    private static let postgresEpochOffset: Int64 = 946_684_800_000_000

    /// `timestamptz`.
    public static var psqlType: PostgresDataType { .timestamptz }
    /// Binary: an `Int64` of microseconds since 2000-01-01T00:00:00Z.
    public static var psqlFormat: PostgresFormat { .binary }

    /// Writes the binary `timestamptz` value. `Int64.max` and `Int64.min` stand for PostgreSQL's
    /// `infinity` and `-infinity` (both ways); instants even earlier than PostgreSQL's epoch
    /// shift allows (about 290,000 BC) are written as `-infinity`.
    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) {
        let wire: Int64
        if microsecondsSinceEpoch == .max {
            wire = .max
        } else {
            let shifted = microsecondsSinceEpoch.subtractingReportingOverflow(Self.postgresEpochOffset)
            wire = shifted.overflow ? .min : shifted.partialValue
        }
        byteBuffer.writeInteger(wire)
    }

    /// Reads a binary `timestamptz` or `timestamp` (the latter taken as UTC). PostgreSQL's
    /// `infinity`/`-infinity` become `Int64.max`/`Int64.min` microseconds; the few finite values
    /// beyond `Int64.max` Unix microseconds (after year 294,000) saturate to `Int64.max`.
    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard format == .binary, type == .timestamptz || type == .timestamp else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        guard buffer.readableBytes == 8, let wire = buffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.failure
        }
        switch wire {
        case .max, .min:
            self.init(microsecondsSinceEpoch: wire)
        default:
            let shifted = wire.addingReportingOverflow(Self.postgresEpochOffset)
            self.init(microsecondsSinceEpoch: shifted.overflow ? .max : shifted.partialValue)
        }
    }
}
