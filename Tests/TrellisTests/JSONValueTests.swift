import Foundation
import NIOCore
import PostgresNIO
import Testing

@testable import Trellis

@Suite struct JSONValueTests {
    private func parse(_ text: String) throws(JSONValue.ParseError) -> JSONValue {
        try JSONValue.parse(ByteBuffer(string: text))
    }

    private func json(_ value: JSONValue) -> String {
        var buffer = ByteBuffer()
        buffer.writeJSON(value)
        return String(buffer: buffer)
    }

    // MARK: integers and numbers

    @Test(arguments: [
        ("0", JSONValue.integer(0)),
        ("42", .integer(42)),
        ("-7", .integer(-7)),
        ("-0", .integer(0)),
        ("1e3", .integer(1000)),
        ("1.0", .integer(1)),
        ("9223372036854775807", .integer(.max)),
        ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .number(9_223_372_036_854_775_808)),
        ("12345678901234567890", .number(1.2345678901234567e19)),
        ("1.5", .number(1.5)),
        ("-0.25", .number(-0.25)),
        ("1e-3", .number(0.001)),
        ("2.5E+2", .integer(250)),
        ("1e300", .number(1e300)),
    ])
    func decodesIntegersBeforeNumbers(text: String, expected: JSONValue) throws {
        let value = try parse(text)
        #expect(value == expected)
    }

    @Test func decodesEveryKind() throws {
        let value = try parse(#" {"s": "x\ny", "b": true, "f": false, "n": null, "i": 3, "d": 0.5, "a": [1, "two", [], {}], "o": {"k": "v"}} "#)
        #expect(
            value
                == .object([
                    "s": .string("x\ny"), "b": .bool(true), "f": .bool(false), "n": .null, "i": .integer(3), "d": .number(0.5),
                    "a": .array([.integer(1), .string("two"), .array([]), .object([:])]), "o": .object(["k": .string("v")]),
                ])
        )
    }

    @Test func decodesUnicodeEscapesAndRawUTF8() throws {
        #expect(try parse(#""\u00e9\ud83d\udc4d é👍""#) == .string("é👍 é👍"))
    }

    @Test func typeNames() {
        let values: [JSONValue] = [.null, .bool(true), .number(1.5), .integer(1), .string(""), .array([]), .object([:])]
        #expect(values.map(\.typeName) == ["null", "boolean", "number", "integer", "string", "array", "object"])
    }

    // MARK: parse errors

    @Test(arguments: [
        ("", 1, 1),
        ("   ", 1, 4),
        ("{", 1, 2),
        (#"{"a":1,}"#, 1, 8),
        ("[1,]", 1, 4),
        ("[1 2]", 1, 4),
        ("1 2", 1, 3),
        ("tru", 1, 4),
        ("nul", 1, 4),
        ("01", 1, 2),
        ("1.", 1, 3),
        ("-", 1, 2),
        (".5", 1, 1),
        ("+1", 1, 1),
        ("NaN", 1, 1),
        ("'a'", 1, 1),
        (#"{a:1}"#, 1, 2),
        (#"{"a" 1}"#, 1, 6),
        ("[1]]", 1, 4),
        (#"["x\q"]"#, 1, 5),
        (#"["\u12G4"]"#, 1, 7),
        ("[\"a\u{01}\"]", 1, 4),
        ("[\"tab\there\"]", 1, 6),
        ("// comment\n1", 1, 1),
        ("{\n  \"name\": \"é\",\n  \"x\": ,\n}", 3, 8),
        ("[\"日本\", x]", 1, 8),
    ])
    func reportsWhereSyntaxErrorsAre(text: String, line: Int, column: Int) {
        #expect(throws: JSONValue.ParseError(line: line, column: column)) {
            try parse(text)
        }
    }

    @Test func parseErrorMessageIsForPeople() {
        #expect(JSONValue.ParseError(line: 1, column: 8).description == "the body is not valid JSON (line 1, column 8)")
        #expect(JSONValue.ParseError().description == "the body is not valid JSON")
    }

    // MARK: duplicate keys

    @Test(arguments: [
        (#"{"a":1,"a":2}"#, "a", 1, 8),
        (#"{"a":1,"b":2,"a":3}"#, "a", 1, 14),
        (#"{"a" : 1 , "a" : 2}"#, "a", 1, 12),
        (#"{"x":{"b":1,"b":2}}"#, "b", 1, 13),
        (#"[[{"k":[{"deep":1,"deep":2}]}]]"#, "deep", 1, 19),
        (#"{"a":{"b":1},"a":2}"#, "a", 1, 14),
        ("{\n  \"name\": \"é\",\n  \"name\": 2\n}", "name", 3, 3),
        (#"{"":1,"":2}"#, "", 1, 7),
    ])
    func rejectsDuplicateKeysWhereTheSecondIs(text: String, key: String, line: Int, column: Int) {
        #expect(throws: JSONValue.ParseError.duplicateKey(key, line: line, column: column)) {
            try parse(text)
        }
    }

    @Test(arguments: [
        (#"{"a":1,"\u0061":2}"#, "a", 8),
        (#"{"\u0061":1,"a":2}"#, "a", 13),
        (#"{"a/b":1,"a\/b":2}"#, "a/b", 10),
        (#"{"tab\tx":1,"tab\u0009x":2}"#, "tab\tx", 13),
        (#"{"q\"":1,"q\u0022":2}"#, "q\"", 10),
        (#"{"é":1,"\u00e9":2}"#, "é", 8),
        (#"{"\u00E9":1,"\u00e9":2}"#, "é", 13),
        (#"{"👍":1,"\ud83d\udc4d":2}"#, "👍", 8),
        // Swift compares strings by canonical equivalence, so Foundation would merge these too.
        (#"{"é":1,"e\u0301":2}"#, "e\u{301}", 8),
        (#"{"K":1,"\u212A":2}"#, "\u{212A}", 8),
    ])
    func comparesKeysAsTheStringsTheyStandFor(text: String, secondKey: String, column: Int) {
        #expect(throws: JSONValue.ParseError.duplicateKey(secondKey, line: 1, column: column)) {
            try parse(text)
        }
    }

    @Test(arguments: [
        #"{"a":1,"A":2,"\u0041a":3,"aa":4}"#,
        #"{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}"#,
        #"[{"k":1},{"k":2}]"#,
        #"{"a":{"b":1},"b":2}"#,
    ])
    func keysOfDifferentObjectsOrStringsAreNotDuplicates(text: String) {
        #expect(throws: Never.self) { try parse(text) }
    }

    @Test func distinctLoneSurrogatesAreNotDuplicatesButFoundationRefusesThem() {
        #expect(throws: JSONValue.ParseError()) { try parse(#"{"\ud83d":1,"\ud83e":2}"#) }
    }

    @Test func findsADuplicateAmongManyKeys() throws {
        let keys = (0..<20_000).map { #""key\#($0)":\#($0)"# }
        let object = try parse("{" + keys.joined(separator: ",") + "}")
        guard case .object(let members) = object else { throw JSONValue.ParseError() }
        #expect(members.count == 20_000)
        let text = "{" + keys.joined(separator: ",") + #","key12345":0}"#
        #expect(throws: JSONValue.ParseError.duplicateKey("key12345", line: 1, column: text.count - 12)) {
            try parse(text)
        }
    }

    @Test func duplicateKeyMessageQuotesTheKeyAndCutsItShort() {
        #expect(
            JSONValue.ParseError.duplicateKey("title", line: 2, column: 3).description
                == #"the body has a duplicate key "title" (line 2, column 3)"#
        )
        #expect(JSONValue.ParseError.duplicateKey("a\"b\n").message == #"the body has a duplicate key "a\"b\n""#)
        let long = String(repeating: "x", count: 200)
        #expect(JSONValue.ParseError.duplicateKey(long).message == #"the body has a duplicate key ""# + String(repeating: "x", count: 63) + #"…""#)
    }

    @Test func deeplyNestedObjectsAreCheckedWithoutRecursion() throws {
        let depth = 100_000
        #expect(throws: JSONValue.ParseError.self) {
            try parse(String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth - 1))
        }
        let nested = String(repeating: #"{"a":"#, count: 100) + "1" + String(repeating: "}", count: 100)
        #expect(try parse(nested) != .null)
    }

    @Test func valuesFoundationRefusesFailWithoutPosition() {
        #expect(throws: JSONValue.ParseError()) { try parse("1e400") }
        #expect(throws: JSONValue.ParseError()) { try JSONValue.parse(ByteBuffer(bytes: [0x22, 0xFF, 0x22])) }
    }

    @Test func deepNestingDoesNotCrash() throws {
        #expect(throws: JSONValue.ParseError.self) {
            try parse(String(repeating: "[", count: 100_000))
        }
        let nested = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        var value = try parse(nested)
        var depth = 0
        while case .array(let elements) = value, let first = elements.first {
            value = first
            depth += 1
        }
        #expect(depth == 99)
    }

    // MARK: writing

    @Test func writesCompactJSONWithSortedKeys() {
        let value = JSONValue.object([
            "b": .integer(1),
            "a": .array([.bool(true), .null, .string("x\"y")]),
            "c": .object(["z": .number(1.5), "y": .integer(-2)]),
            "": .object([:]),
        ])
        #expect(json(value) == #"{"":{},"a":[true,null,"x\"y"],"b":1,"c":{"y":-2,"z":1.5}}"#)
    }

    @Test func writesNonFiniteNumbersAsNull() {
        #expect(json(.array([.number(.nan), .number(.infinity), .number(2)])) == "[null,null,2.0]")
    }

    @Test(arguments: [
        #"{"a":[1,2.5,"three",null,true,false,{"b":{}}],"c":"\u0000\n"}"#,
        #"[]"#,
        #""only a string""#,
        "-9223372036854775808",
    ])
    func writeThenParseRoundTrips(text: String) throws {
        let value = try parse(text)
        #expect(try parse(json(value)) == value)
    }

    // MARK: Codable

    @Test func codableRoundTrip() throws {
        let value = JSONValue.object(["n": .integer(5), "d": .number(0.5), "l": .array([.string("x"), .null, .bool(false)])])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(value)
        #expect(String(decoding: data, as: UTF8.self) == #"{"d":0.5,"l":["x",null,false],"n":5}"#)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    // MARK: PostgreSQL

    @Test func encodesBinaryJSONB() {
        var buffer = ByteBuffer()
        JSONValue.object(["b": .integer(2), "a": .string("x")]).encode(into: &buffer, context: .default)
        #expect(buffer.readInteger(as: UInt8.self) == 1)
        #expect(String(buffer: buffer) == #"{"a":"x","b":2}"#)
        #expect(JSONValue.psqlType == .jsonb)
        #expect(JSONValue.psqlFormat == .binary)
    }

    @Test func decodesJSONBAndJSON() throws {
        let expected = JSONValue.object(["a": .array([.integer(1), .number(2.5)])])
        var jsonb = ByteBuffer(bytes: [1] + Array(#"{"a": [1, 2.5]}"#.utf8))
        #expect(try JSONValue(from: &jsonb, type: .jsonb, format: .binary, context: .default) == expected)
        #expect(jsonb.readableBytes == 0)
        var json = ByteBuffer(string: #"{"a": [1, 2.5]}"#)
        #expect(try JSONValue(from: &json, type: .json, format: .binary, context: .default) == expected)
        var text = ByteBuffer(string: #"{"a": [1, 2.5]}"#)
        #expect(try JSONValue(from: &text, type: .jsonb, format: .text, context: .default) == expected)
    }

    @Test func postgresRoundTrip() throws {
        let value = JSONValue.array([.object(["k": .string("é👍\n")]), .integer(.min), .number(0.1), .null])
        var buffer = ByteBuffer()
        value.encode(into: &buffer, context: .default)
        #expect(try JSONValue(from: &buffer, type: .jsonb, format: .binary, context: .default) == value)
    }

    @Test func rejectsBadPostgresValues() {
        var version2 = ByteBuffer(bytes: [2] + Array("{}".utf8))
        #expect(throws: PostgresDecodingError.Code.failure) {
            try JSONValue(from: &version2, type: .jsonb, format: .binary, context: .default)
        }
        var invalid = ByteBuffer(bytes: [1] + Array("{".utf8))
        #expect(throws: PostgresDecodingError.Code.failure) {
            try JSONValue(from: &invalid, type: .jsonb, format: .binary, context: .default)
        }
        var text = ByteBuffer(string: "{}")
        #expect(throws: PostgresDecodingError.Code.typeMismatch) {
            try JSONValue(from: &text, type: .text, format: .binary, context: .default)
        }
    }
}
