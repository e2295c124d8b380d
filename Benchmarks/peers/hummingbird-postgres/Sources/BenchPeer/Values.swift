import Foundation
import PostgresNIO

/// A `timestamptz` to the microsecond. Foundation's `Date` is a `Double`, which would round the
/// microseconds a keyset cursor must give back exactly; this reads PostgreSQL's binary value as is.
struct Timestamp: PostgresNonThrowingEncodable, PostgresDecodable, Encodable, Sendable, Hashable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    var micros: Int64

    init(micros: Int64) { self.micros = micros }

    static func now() -> Timestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(micros: Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec / 1000))
    }

    /// PostgreSQL counts from 2000-01-01.
    private static let postgresEpochOffset: Int64 = 946_684_800_000_000

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<E: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<E>) {
        byteBuffer.writeInteger(micros - Self.postgresEpochOffset)
    }

    init<D: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<D>
    ) throws {
        guard type == .timestamptz, format == .binary, buffer.readableBytes == 8, let value = buffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        micros = value + Self.postgresEpochOffset
    }

    /// RFC 3339 in UTC with six fractional digits: `2026-02-01T00:00:00.000000Z`.
    var rfc3339: String {
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let (wholeSeconds, micro) = fraction < 0 ? (seconds - 1, fraction + 1_000_000) : (seconds, fraction)
        let days = Int(wholeSeconds >= 0 ? wholeSeconds / 86_400 : (wholeSeconds - 86_399) / 86_400)
        let secondOfDay = Int(wholeSeconds - Int64(days) * 86_400)
        let (year, month, day) = civilDate(days: days)
        return Formatting.digits(year, 4) + "-" + Formatting.digits(month, 2) + "-" + Formatting.digits(day, 2) + "T"
            + Formatting.digits(secondOfDay / 3600, 2) + ":" + Formatting.digits(secondOfDay / 60 % 60, 2) + ":"
            + Formatting.digits(secondOfDay % 60, 2) + "." + Formatting.digits(Int(micro), 6) + "Z"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }
}

/// A `date` (`YYYY-MM-DD`), read and written as PostgreSQL's day number.
struct Day: PostgresNonThrowingEncodable, PostgresDecodable, Codable, Sendable, Hashable {
    /// Days since 1970-01-01.
    var days: Int

    /// PostgreSQL counts from 2000-01-01.
    private static let postgresEpochOffset = 10_957

    static var psqlType: PostgresDataType { .date }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<E: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<E>) {
        byteBuffer.writeInteger(Int32(days - Self.postgresEpochOffset))
    }

    init<D: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<D>
    ) throws {
        guard type == .date, format == .binary, buffer.readableBytes == 4, let value = buffer.readInteger(as: Int32.self) else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        days = Int(value) + Self.postgresEpochOffset
    }

    /// Parses `YYYY-MM-DD` (a real calendar date, years 0001-9999).
    init?(text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            year >= 1, (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        days = daysFromCivil(year: year, month: month, day: day)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    var text: String {
        let (year, month, day) = civilDate(days: days)
        return Formatting.digits(year, 4) + "-" + Formatting.digits(month, 2) + "-" + Formatting.digits(day, 2)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = Day(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be a date, YYYY-MM-DD")
        }
        self = day
    }
}

enum Formatting {
    /// `value` in decimal, zero-padded to `width` digits.
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// Howard Hinnant's days-from-civil and its inverse (proleptic Gregorian calendar).
func civilDate(days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}
