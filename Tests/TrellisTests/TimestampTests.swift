import Foundation
import NIOCore
import PostgresNIO
import Testing

@testable import Trellis

@Suite struct TimestampTests {
    // MARK: formatting

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"),
        (946_684_800_000_000, "2000-01-01T00:00:00.000000Z"),
        (1_767_323_045_123_456, "2026-01-02T03:04:05.123456Z"),
        (1_709_208_000_000_000, "2024-02-29T12:00:00.000000Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
        (-14_182_940_000_000, "1969-07-20T20:17:40.000000Z"),
        (-62_135_596_800_000_000, "0001-01-01T00:00:00.000000Z"),
        (-62_167_219_200_000_000, "0000-01-01T00:00:00.000000Z"),
        (253_402_300_799_999_999, "9999-12-31T23:59:59.999999Z"),
        (1_000, "1970-01-01T00:00:00.001000Z"),
    ])
    func formats(micros: Int64, text: String) {
        let timestamp = Timestamp(microsecondsSinceEpoch: micros)
        #expect(timestamp.rfc3339 == text)
        #expect(timestamp.description == text)
        #expect(Timestamp(rfc3339: text) == timestamp)
    }

    @Test func formatsYearsOutsideRFC3339WithoutCrashing() {
        #expect(Timestamp(microsecondsSinceEpoch: 253_402_300_800_000_000).rfc3339 == "+10000-01-01T00:00:00.000000Z")
        #expect(Timestamp(microsecondsSinceEpoch: -62_167_219_200_000_001).rfc3339 == "-0001-12-31T23:59:59.999999Z")
        #expect(Timestamp(microsecondsSinceEpoch: .max).rfc3339 == "+294247-01-10T04:00:54.775807Z")
        #expect(Timestamp(microsecondsSinceEpoch: .min).rfc3339 == "-290308-12-21T19:59:05.224192Z")
    }

    @Test func writesIntoByteBufferAfterExistingBytes() {
        var buffer = ByteBuffer(string: "at ")
        Timestamp(microsecondsSinceEpoch: 1_767_323_045_123_456).write(to: &buffer)
        #expect(String(buffer: buffer) == "at 2026-01-02T03:04:05.123456Z")
    }

    @Test func textOrderIsTimeOrder() {
        let micros: [Int64] = [-62_135_596_800_000_000, -1, 0, 1, 999_999, 1_000_000, 946_684_800_000_000, 1_767_323_045_123_456]
        let texts = micros.map { Timestamp(microsecondsSinceEpoch: $0).rfc3339 }
        #expect(texts == texts.sorted())
        #expect(Set(texts.map(\.utf8.count)) == [27])
    }

    // MARK: parsing

    @Test(arguments: [
        ("2026-01-02T03:04:05Z", Int64(1_767_323_045_000_000)),
        ("2026-01-02t03:04:05z", 1_767_323_045_000_000),
        ("2026-01-02 03:04:05Z", 1_767_323_045_000_000),
        ("2026-01-02T03:04:05.1Z", 1_767_323_045_100_000),
        ("2026-01-02T03:04:05.123456789Z", 1_767_323_045_123_456),
        ("2026-01-02T03:04:05.999999999Z", 1_767_323_045_999_999),
        ("2026-01-02T04:04:05.123456+01:00", 1_767_323_045_123_456),
        ("2026-01-01T21:34:05.123456-05:30", 1_767_323_045_123_456),
        ("2026-01-02T03:04:05-00:00", 1_767_323_045_000_000),
        ("2025-12-31T22:00:00-05:30", 1_767_238_200_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T01:00:00+01:00", 0),
        ("1969-12-31T23:59:59.999999Z", -1),
        ("2000-01-01T00:00:00Z", 946_684_800_000_000),
        ("2000-02-29T00:00:00Z", 951_782_400_000_000),
        ("2024-02-29T12:00:00Z", 1_709_208_000_000_000),
        ("0000-01-01T00:00:00Z", -62_167_219_200_000_000),
        ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
    ])
    func parses(text: String, micros: Int64) {
        #expect(Timestamp(rfc3339: text)?.microsecondsSinceEpoch == micros)
        #expect(Timestamp(rfc3339: Substring(text)) == Timestamp(microsecondsSinceEpoch: micros))
    }

    @Test(arguments: [
        "",
        "2026-01-02",
        "2026-01-02T03:04:05",  // no zone
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-02-29T00:00:00Z",  // 2026 is not a leap year
        "1900-02-29T00:00:00Z",  // divisible by 100, not by 400
        "2026-02-30T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-01-02T24:00:00Z",
        "2026-01-02T03:60:00Z",
        "2026-01-02T03:04:60Z",  // no leap seconds
        "2026-01-02T03:04:05.Z",
        "2026-01-02T03:04:05.1234567890Z",  // more than 9 fractional digits
        "2026-01-02T03:04:05+01",
        "2026-01-02T03:04:05+0100",
        "2026-01-02T03:04:05+24:00",
        "2026-01-02T03:04:05+01:60",
        "2026-01-02T03:04:05ZZ",
        "2026-01-02T03:04:05Z ",
        " 2026-01-02T03:04:05Z",
        "2026-1-02T03:04:05Z",
        "26-01-02T03:04:05Z",
        "2026/01/02T03:04:05Z",
        "2026-01-02_03:04:05Z",
        "2026-01-02T3:04:05Z",
        "+2026-01-02T03:04:05Z",
        "２０２６-01-02T03:04:05Z",  // fullwidth digits
        "0000-01-01T00:00:00+00:01",  // before year 0000 in UTC
        "9999-12-31T23:59:59-00:01",  // after year 9999 in UTC
    ])
    func rejects(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    // MARK: Date

    @Test func convertsFromAndToDate() {
        #expect(Timestamp(Date(timeIntervalSince1970: 0)).microsecondsSinceEpoch == 0)
        #expect(Timestamp(Date(timeIntervalSince1970: 1_767_323_045.123456)).microsecondsSinceEpoch == 1_767_323_045_123_456)
        #expect(Timestamp(Date(timeIntervalSince1970: -0.5)).microsecondsSinceEpoch == -500_000)
        #expect(Timestamp(microsecondsSinceEpoch: 946_684_800_000_000).date == Date(timeIntervalSince1970: 946_684_800))
        #expect(Timestamp(.distantFuture).rfc3339 == "4001-01-01T00:00:00.000000Z")
        #expect(Timestamp(Date(timeIntervalSinceReferenceDate: 1e300)).microsecondsSinceEpoch == .max)
        #expect(Timestamp(Date(timeIntervalSinceReferenceDate: -1e300)).microsecondsSinceEpoch == .min)
    }

    @Test(arguments: [Int64(0), -1, 1, 999_999, 946_684_800_000_001, 1_767_323_045_123_456, 1_767_323_045_999_999, 4_102_444_799_999_999])
    func dateRoundTripIsExact(micros: Int64) {
        let timestamp = Timestamp(microsecondsSinceEpoch: micros)
        #expect(Timestamp(timestamp.date) == timestamp)
    }

    @Test func nowIsTheCurrentTime() {
        let before = Timestamp(Date())
        let now = Timestamp.now()
        let after = Timestamp(Date())
        // Date and clock_gettime read the same clock; allow for Date's rounding.
        #expect(now.microsecondsSinceEpoch >= before.microsecondsSinceEpoch - 1)
        #expect(now.microsecondsSinceEpoch <= after.microsecondsSinceEpoch + 1)
    }

    // MARK: Codable

    @Test func encodesAsRFC3339String() throws {
        let data = try JSONEncoder().encode([Timestamp(microsecondsSinceEpoch: 1_767_323_045_123_456)])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-01-02T03:04:05.123456Z"]"#)
    }

    @Test func decodesAnyAcceptedForm() throws {
        let data = Data(#"["2026-01-02T04:04:05.123456789+01:00", "2026-01-02 03:04:05z"]"#.utf8)
        let values = try JSONDecoder().decode([Timestamp].self, from: data)
        #expect(values.map(\.microsecondsSinceEpoch) == [1_767_323_045_123_456, 1_767_323_045_000_000])
    }

    @Test func decodingInvalidTextIsDataCorrupted() {
        let data = Data(#"["2026-02-30T00:00:00Z"]"#.utf8)
        #expect {
            try JSONDecoder().decode([Timestamp].self, from: data)
        } throws: { error in
            guard case DecodingError.dataCorrupted = error else { return false }
            return true
        }
    }

    // MARK: PostgreSQL

    @Test func encodesTimestamptzAsMicrosecondsSince2000() {
        #expect(Timestamp.psqlType == .timestamptz)
        #expect(Timestamp.psqlFormat == .binary)
        #expect(postgresBytes(Timestamp(microsecondsSinceEpoch: 946_684_800_000_000)) == 0)
        #expect(postgresBytes(Timestamp(microsecondsSinceEpoch: 0)) == -946_684_800_000_000)
        #expect(postgresBytes(Timestamp(microsecondsSinceEpoch: 1_767_323_045_123_456)) == 820_638_245_123_456)
    }

    @Test(arguments: [
        Int64(0), -1, 1, 946_684_800_000_000, 1_767_323_045_123_456, 253_402_300_799_999_999, -62_135_596_800_000_000,
        .max, .min,
    ])
    func postgresRoundTripIsExact(micros: Int64) throws {
        let timestamp = Timestamp(microsecondsSinceEpoch: micros)
        var buffer = ByteBuffer()
        timestamp.encode(into: &buffer, context: .default)
        #expect(buffer.readableBytes == 8)
        let decoded = try Timestamp(from: &buffer, type: .timestamptz, format: .binary, context: .default)
        #expect(decoded == timestamp)
        #expect(buffer.readableBytes == 0)
    }

    @Test func decodesInfinityAndTimestampWithoutZone() throws {
        var infinity = ByteBuffer(integer: Int64.max)
        #expect(try Timestamp(from: &infinity, type: .timestamptz, format: .binary, context: .default).microsecondsSinceEpoch == .max)
        var minusInfinity = ByteBuffer(integer: Int64.min)
        #expect(try Timestamp(from: &minusInfinity, type: .timestamptz, format: .binary, context: .default).microsecondsSinceEpoch == .min)
        var plain = ByteBuffer(integer: Int64(820_638_245_123_456))
        #expect(try Timestamp(from: &plain, type: .timestamp, format: .binary, context: .default).rfc3339 == "2026-01-02T03:04:05.123456Z")
    }

    @Test func rejectsOtherPostgresTypesAndShortValues() {
        var date = ByteBuffer(integer: Int64(0))
        #expect(throws: PostgresDecodingError.Code.typeMismatch) {
            try Timestamp(from: &date, type: .date, format: .binary, context: .default)
        }
        var text = ByteBuffer(string: "2026-01-02 03:04:05+00")
        #expect(throws: PostgresDecodingError.Code.typeMismatch) {
            try Timestamp(from: &text, type: .timestamptz, format: .text, context: .default)
        }
        var short = ByteBuffer(integer: Int32(0))
        #expect(throws: PostgresDecodingError.Code.failure) {
            try Timestamp(from: &short, type: .timestamptz, format: .binary, context: .default)
        }
    }

    private func postgresBytes(_ timestamp: Timestamp) -> Int64? {
        var buffer = ByteBuffer()
        timestamp.encode(into: &buffer, context: .default)
        guard buffer.readableBytes == 8 else { return nil }
        return buffer.readInteger(as: Int64.self)
    }
}
