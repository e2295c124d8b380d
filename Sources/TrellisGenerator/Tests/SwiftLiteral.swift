import TrellisOpenAPI

/// Swift source for values the generated tests hold.
enum SwiftLiteral {
    /// `doc` as a `JSONValue` literal: `"text"`, `3`, `true`, `.null`, `["key": "value"]`.
    static func json(_ document: Document) -> String {
        switch document {
        case .string(let text): SwiftNames.stringLiteral(text)
        case .integer(let number): String(number)
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null: ".null"
        case .array(let items): "[" + items.map(json).joined(separator: ", ") + "]"
        case .object(let entries) where entries.isEmpty: "[:]"
        case .object(let entries): "[" + entries.map { "\(SwiftNames.stringLiteral($0.0)): \(json($0.1))" }.joined(separator: ", ") + "]"
        }
    }

    /// `values` as a Swift array of string literals: `["a", "b"]`.
    static func strings(_ values: [String]) -> String {
        "[" + values.map(SwiftNames.stringLiteral).joined(separator: ", ") + "]"
    }
}
