import Foundation

/// A JSON-shaped tree with ordered keys, rendered to both YAML and JSON byte-for-byte
/// deterministically (the same document is committed as YAML and served as JSON).
///
/// The generator writes the whole OpenAPI document with it; the account endpoints describe
/// themselves with it (`TrellisAccountsAPI`).
package indirect enum Document: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral
{
    case string(String)
    case integer(Int64)
    case number(String)
    case bool(Bool)
    case null
    case array([Document])
    case object([(String, Document)])

    package init(stringLiteral value: String) { self = .string(value) }
    package init(arrayLiteral elements: Document...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, Document)...) { self = .object(elements) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(integerLiteral value: Int64) { self = .integer(value) }

    package static func == (lhs: Document, rhs: Document) -> Bool { lhs.json() == rhs.json() }
    package func hash(into hasher: inout Hasher) { hasher.combine(json()) }

    /// Compact JSON.
    package func json() -> String {
        var output = ""
        writeJSON(into: &output)
        return output
    }

    private func writeJSON(into output: inout String) {
        switch self {
        case .string(let value): output += Self.quoted(value)
        case .integer(let value): output += String(value)
        case .number(let value): output += value
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.writeJSON(into: &output)
            }
            output += "]"
        case .object(let entries):
            output += "{"
            for (index, (key, value)) in entries.enumerated() {
                if index > 0 { output += "," }
                output += Self.quoted(key) + ":"
                value.writeJSON(into: &output)
            }
            output += "}"
        }
    }

    /// Block-style YAML; strings are double-quoted JSON strings (valid YAML) unless plainly safe.
    package func yaml() -> String {
        var lines: [String] = []
        writeYAML(into: &lines, indent: "")
        return lines.joined(separator: "\n") + "\n"
    }

    private func writeYAML(into lines: inout [String], indent: String) {
        switch self {
        case .object(let entries):
            for (key, value) in entries {
                value.writeYAMLEntry(prefix: indent + Self.yamlKey(key) + ":", into: &lines, indent: indent)
            }
        case .array(let items):
            for item in items {
                item.writeYAMLEntry(prefix: indent + "-", into: &lines, indent: indent, inSequence: true)
            }
        default:
            lines.append(indent + scalarYAML)
        }
    }

    private func writeYAMLEntry(prefix: String, into lines: inout [String], indent: String, inSequence: Bool = false) {
        switch self {
        case .object(let entries) where !entries.isEmpty:
            if inSequence {
                // "- key: value" with the rest of the mapping aligned under the first key.
                var nested: [String] = []
                writeYAML(into: &nested, indent: indent + "  ")
                if let first = nested.first {
                    lines.append(prefix + " " + first.dropFirst(indent.count + 2))
                    lines += nested.dropFirst()
                }
            } else {
                lines.append(prefix)
                writeYAML(into: &lines, indent: indent + "  ")
            }
        case .array(let items) where !items.isEmpty:
            lines.append(prefix)
            writeYAML(into: &lines, indent: indent + "  ")
        case .object:
            lines.append(prefix + " {}")
        case .array:
            lines.append(prefix + " []")
        default:
            lines.append(prefix + " " + scalarYAML)
        }
    }

    private var scalarYAML: String {
        switch self {
        case .string(let value): Self.yamlString(value)
        case .integer(let value): String(value)
        case .number(let value): value
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        default: json()
        }
    }

    private static func yamlKey(_ key: String) -> String {
        yamlString(key)
    }

    /// Words YAML reads as something other than a string when plain.
    private static let reservedPlainWords: Set<String> = ["true", "false", "null", "yes", "no", "on", "off"]

    /// Plain when unambiguous (letters, digits, `_-./` starting with a letter or `/`), else quoted.
    private static func yamlString(_ value: String) -> String {
        func isLetter(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte | 0x20) }
        func isPlain(_ byte: UInt8) -> Bool {
            isLetter(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
        }
        guard let first = value.utf8.first, isLetter(first) || first == UInt8(ascii: "/"), value.utf8.allSatisfy(isPlain),
            !reservedPlainWords.contains(value.lowercased())
        else {
            return quoted(value)
        }
        return value
    }

    package static func quoted(_ value: String) -> String {
        var output = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    output += String(format: "\\u%04x", scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
