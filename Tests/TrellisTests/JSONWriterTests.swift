import Foundation
import NIOCore
import Testing

@testable import Trellis

@Suite struct JSONWriterTests {
    private func json(_ value: some JSONWritable) -> String {
        var buffer = ByteBuffer()
        buffer.writeJSON(value)
        return String(buffer: buffer)
    }

    private func jsonString(_ value: String) -> String {
        var buffer = ByteBuffer()
        buffer.writeJSONString(value)
        return String(buffer: buffer)
    }

    // MARK: strings

    @Test(arguments: [
        ("", #""""#),
        ("plain", #""plain""#),
        ("say \"hi\"", #""say \"hi\"""#),
        ("C:\\path", #""C:\\path""#),
        ("a/b", #""a/b""#),
        ("line\nnext\r\n\ttab", #""line\nnext\r\n\ttab""#),
        ("\u{08}\u{0C}", #""\b\f""#),
        ("\u{00}\u{01}\u{1F}", #""\u0000\u0001\u001f""#),
        ("\u{7F}", "\"\u{7F}\""),
        ("\"", #""\"""#),
        ("\"\\\"", #""\"\\\"""#),
        ("end\n", #""end\n""#),
        ("\nstart", #""\nstart""#),
        ("café", "\"café\""),
        ("日本語", "\"日本語\""),
        ("👍🏽 ok", "\"👍🏽 ok\""),
        ("\u{2028}", "\"\u{2028}\""),
    ])
    func escapesStrings(value: String, expected: String) {
        #expect(jsonString(value) == expected)
        #expect(json(value) == expected)
    }

    @Test func emojiIsWrittenAsRawUTF8() {
        var buffer = ByteBuffer()
        buffer.writeJSONString("👍")
        #expect(Array(buffer.readableBytesView) == [0x22, 0xF0, 0x9F, 0x91, 0x8D, 0x22])
    }

    @Test func everyControlCharacterRoundTripsThroughFoundation() throws {
        let original = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self) + "\"\\é👍"
        var buffer = ByteBuffer()
        buffer.writeJSON([original])
        let text = String(buffer: buffer)
        #expect(!text.utf8.contains { $0 < 0x20 })
        let decoded = try JSONDecoder().decode([String].self, from: Data(text.utf8))
        #expect(decoded == [original])
    }

    @Test func longStringsWithEscapesInTheMiddle() {
        let run = String(repeating: "x", count: 1000)
        #expect(jsonString(run + "\"" + run) == "\"" + run + "\\\"" + run + "\"")
    }

    @Test func substringsAndBridgedStringsWork() {
        let text = "[abc\"def]"
        let inner = String(text.dropFirst().dropLast())
        #expect(jsonString(inner) == #""abc\"def""#)
    }

    // MARK: scalars

    @Test func writesIntegers() {
        #expect(json(0) == "0")
        #expect(json(7) == "7")
        #expect(json(-1) == "-1")
        #expect(json(10) == "10")
        #expect(json(1_234_567_890) == "1234567890")
        #expect(json(Int.max) == "9223372036854775807")
        #expect(json(Int64.min) == "-9223372036854775808")
        #expect(json(Int64.max) == "9223372036854775807")
        #expect(json(Int64(-10_000_000_000_000_000)) == "-10000000000000000")
        #expect(json(Int32.min) == "-2147483648")
        #expect(json(Int32(999)) == "999")
    }

    @Test func writesDoublesAndNullForNonFinite() {
        #expect(json(1.5) == "1.5")
        #expect(json(0.1) == "0.1")
        #expect(json(-0.0) == "-0.0")
        #expect(json(100.0) == "100.0")
        #expect(json(1e-5) == "1e-05")
        #expect(json(1e16) == "1e+16")
        #expect(json(Double.nan) == "null")
        #expect(json(Double.infinity) == "null")
        #expect(json(-Double.infinity) == "null")
    }

    @Test func doublesAreValidJSONThatRoundTrips() throws {
        let values = [0.1, -2.5e-300, 1e300, 123_456.789, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, -0.0]
        var buffer = ByteBuffer()
        buffer.writeJSON(values)
        let decoded = try JSONDecoder().decode([Double].self, from: Data(String(buffer: buffer).utf8))
        #expect(decoded == values)
    }

    @Test func writesBools() {
        #expect(json(true) == "true")
        #expect(json(false) == "false")
    }

    @Test func writesDecimalsAsStrings() throws {
        #expect(json(try #require(Decimal(string: "12.50"))) == #""12.5""#)
        #expect(json(try #require(Decimal(string: "-0.001"))) == #""-0.001""#)
        #expect(json(Decimal(12345)) == #""12345""#)
        #expect(json(Decimal.nan) == "null")
    }

    @Test(arguments: [
        ("12.5", 2, #""12.50""#), ("12", 2, #""12.00""#), ("-0.125", 3, #""-0.125""#), ("7", 0, #""7""#),
        ("1.5", 0, #""1.5""#), ("0.1", 4, #""0.1000""#),
    ])
    func writesDecimalColumnsWithTheirScale(text: String, scale: Int, expected: String) throws {
        var buffer = ByteBuffer()
        buffer.writeJSONDecimal(try #require(Decimal(string: text)), scale: scale)
        #expect(String(buffer: buffer) == expected)
    }

    @Test func writesNaNDecimalColumnsAsNull() {
        var buffer = ByteBuffer()
        buffer.writeJSONDecimal(Decimal.nan, scale: 2)
        buffer.writeJSONDecimal(nil as Decimal?, scale: 2)
        #expect(String(buffer: buffer) == "nullnull")
    }

    @Test func writesUUIDsLowercase() throws {
        let id = try #require(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"))
        #expect(json(id) == #""e621e1f8-c36c-495a-93fc-0c247a3e6e5f""#)
        let zero = try #require(UUID(uuidString: "00000000-0000-0000-0000-000000000000"))
        #expect(json(zero) == #""00000000-0000-0000-0000-000000000000""#)
        let max = try #require(UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"))
        #expect(json(max) == #""ffffffff-ffff-ffff-ffff-ffffffffffff""#)
    }

    @Test func writesTimestampsAndDatesQuoted() throws {
        #expect(json(Timestamp(microsecondsSinceEpoch: 1_767_323_045_123_456)) == #""2026-01-02T03:04:05.123456Z""#)
        #expect(json(try #require(CalendarDate(year: 2026, month: 1, day: 31))) == #""2026-01-31""#)
    }

    // MARK: containers

    @Test func writesOptionalsAndArrays() {
        #expect(json(String?.none) == "null")
        #expect(json(Optional("x")) == #""x""#)
        #expect(json([Int]()) == "[]")
        #expect(json([1, 2, 3]) == "[1,2,3]")
        #expect(json([[1], [], [2, 3]]) == "[[1],[],[2,3]]")
        #expect(json([Int?.none, 1, nil]) == "[null,1,null]")
        #expect(json(["a\"", "b"]) == #"["a\"","b"]"#)
    }

    @Test func appendsToExistingBytes() {
        var buffer = ByteBuffer(string: #"{"id":"#)
        buffer.writeJSON(42)
        buffer.writeStaticString(#","name":"#)
        buffer.writeJSONString("Zoë")
        buffer.writeStaticString("}")
        #expect(String(buffer: buffer) == #"{"id":42,"name":"Zoë"}"#)
    }
}
