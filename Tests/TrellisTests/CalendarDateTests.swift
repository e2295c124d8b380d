import Foundation
import NIOCore
import PostgresNIO
import Testing

@testable import Trellis

@Suite struct CalendarDateTests {
    @Test(arguments: [
        (2026, 1, 31, "2026-01-31"),
        (2000, 2, 29, "2000-02-29"),
        (2024, 2, 29, "2024-02-29"),
        (1970, 1, 1, "1970-01-01"),
        (1, 1, 1, "0001-01-01"),
        (99, 3, 4, "0099-03-04"),
        (9999, 12, 31, "9999-12-31"),
    ])
    func formatsAndParses(year: Int, month: Int, day: Int, text: String) throws {
        let date = try #require(CalendarDate(year: year, month: month, day: day))
        #expect(date.description == text)
        #expect(CalendarDate(text) == date)
        let parsed = try #require(CalendarDate(text))
        #expect((parsed.year, parsed.month, parsed.day) == (year, month, day))
    }

    @Test(arguments: [
        (2026, 2, 29),  // not a leap year
        (1900, 2, 29),  // divisible by 100, not by 400
        (2026, 2, 30),
        (2026, 4, 31),
        (2026, 13, 1),
        (2026, 0, 1),
        (2026, 1, 0),
        (2026, 1, 32),
        (0, 1, 1),
        (10000, 1, 1),
        (-1, 1, 1),
    ])
    func rejectsImpossibleDates(year: Int, month: Int, day: Int) {
        #expect(CalendarDate(year: year, month: month, day: day) == nil)
    }

    @Test(arguments: [
        "", "2026-1-31", "2026-01-1", "26-01-31", "02026-01-31", "2026-01-31T00:00:00Z", " 2026-01-31", "2026-01-31 ",
        "2026/01/31", "2026-02-30", "0000-01-01", "+202-01-31", "2026-0a-31", "２０２６-01-31", "2026-01-3１",
    ])
    func parsesStrictly(text: String) {
        #expect(CalendarDate(text) == nil)
    }

    @Test func ordersChronologically() throws {
        let texts = ["0001-01-01", "1999-12-31", "2000-01-01", "2000-01-02", "2000-02-01", "2026-01-31"]
        let dates = try texts.map { try #require(CalendarDate($0)) }
        #expect(dates == dates.sorted())
        #expect(dates.reversed().sorted() == dates)
    }

    @Test func writesIntoByteBuffer() throws {
        var buffer = ByteBuffer(string: "on ")
        try #require(CalendarDate(year: 812, month: 5, day: 6)).write(to: &buffer)
        #expect(String(buffer: buffer) == "on 0812-05-06")
    }

    @Test func isCodableAsString() throws {
        let date = try #require(CalendarDate(year: 2026, month: 1, day: 31))
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-01-31"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [date])
        #expect {
            try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2026-02-30"]"#.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted = error else { return false }
            return true
        }
    }

    @Test(arguments: [
        ("2000-01-01", Int32(0)),
        ("1970-01-01", -10_957),
        ("2026-01-31", 9_527),
        ("0001-01-01", -730_119),
        ("9999-12-31", 2_921_939),
    ])
    func encodesPostgresDateAsDaysSince2000(text: String, days: Int32) throws {
        let date = try #require(CalendarDate(text))
        var buffer = ByteBuffer()
        date.encode(into: &buffer, context: .default)
        #expect(buffer.readableBytes == 4)
        #expect(buffer.getInteger(at: buffer.readerIndex, as: Int32.self) == days)
        let decoded = try CalendarDate(from: &buffer, type: .date, format: .binary, context: .default)
        #expect(decoded == date)
        #expect(CalendarDate.psqlType == .date)
    }

    @Test func rejectsPostgresDatesItCannotHold() {
        for days in [Int32.max, Int32.min, -730_120] {  // infinity, -infinity, 1 BC
            var buffer = ByteBuffer(integer: days)
            #expect(throws: PostgresDecodingError.Code.failure) {
                try CalendarDate(from: &buffer, type: .date, format: .binary, context: .default)
            }
        }
        var timestamp = ByteBuffer(integer: Int64(0))
        #expect(throws: PostgresDecodingError.Code.typeMismatch) {
            try CalendarDate(from: &timestamp, type: .timestamptz, format: .binary, context: .default)
        }
    }
}
