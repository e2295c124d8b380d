import TrellisOpenAPI
import TrellisSpec

/// Values derived from a field's spec: a valid example (the OpenAPI document's `examples` and the
/// generated tests' first row), another valid value (what a generated update sets), and one
/// invalid value per rule the field has (one generated 422 test each).
enum FixtureValues {
    /// A deterministic value that satisfies the field's type and every constraint.
    static func example(for field: ResolvedField) -> Document {
        if let value = field.spec.defaultValue?.value { return defaultDocument(value) }
        switch field.kind {
        case .string, .text:
            let text: String
            switch field.spec.format {
            case .email: text = "ada@example.com"
            case .url: text = "https://example.com"
            case .slug: text = "example-\(field.name.replacingOccurrences(of: "_", with: "-"))"
            case nil: text = "Example \(field.name.replacingOccurrences(of: "_", with: " "))"
            }
            return .string(bounded(text, field))
        case .int32, .int64:
            return .integer(min(max(1, field.spec.minimum ?? Int64.min), field.spec.maximum ?? Int64.max))
        case .decimal(_, let scale):
            // 1, or the largest number the column holds when that is less (precision == scale).
            return .string(decimalText(units: clamp(power(scale), field, scale: scale), scale: scale))
        case .bool: return false
        case .uuid: return "0193a5c8-7d2e-7000-8000-00000000000a"
        case .reference: return .string(exampleID(of: field.reference?.resource ?? field.name))
        case .date: return "2026-01-31"
        case .datetime: return "2026-01-31T09:30:00.000000Z"
        case .enumeration(_, let values): return .string(values.first ?? "")
        case .json: return ["key": "value"]
        }
    }

    /// A second valid value, different from ``example(for:)``; nil when there is none, or for a
    /// reference (which must name a real row).
    static func alternate(for field: ResolvedField) -> Document? {
        let example = example(for: field)
        switch field.kind {
        case .string, .text:
            let text: String
            switch field.spec.format {
            case .email: text = "grace@example.org"
            case .url: text = "https://example.org/changed"
            case .slug: text = "changed-\(field.name.replacingOccurrences(of: "_", with: "-"))"
            case nil: text = "Changed \(field.name.replacingOccurrences(of: "_", with: " "))"
            }
            let value = Document.string(bounded(text, field))
            return value == example ? nil : value
        case .int32, .int64:
            guard case .integer(let number) = example else { return nil }
            if number < field.spec.maximum ?? Int64.max { return .integer(number + 1) }
            if number > field.spec.minimum ?? Int64.min { return .integer(number - 1) }
            return nil
        case .decimal(_, let scale):
            guard case .string(let text) = example, let units = units(text, scale: scale) else { return nil }
            let changed = clamp(units + power(scale), field, scale: scale)
            let other = changed == units ? clamp(units - power(scale), field, scale: scale) : changed
            return other == units ? nil : .string(decimalText(units: other, scale: scale))
        case .bool: return example == .bool(true) ? false : true
        case .uuid: return "0193a5c8-7d2e-7000-8000-00000000000b"
        case .date: return "2026-02-28"
        case .datetime: return "2026-02-28T17:45:00.000000Z"
        case .enumeration(_, let values): return values.first { Document.string($0) != example }.map(Document.string)
        case .json: return ["key": "changed", "list": [1, 2]]
        case .reference: return nil
        }
    }

    /// A value that breaks one rule of the field, and the rule as the spec writes it.
    struct Invalid: Hashable {
        enum Input: Hashable {
            case missing
            case null
            case duplicate
            case value(Document)
        }

        var rule: String
        var input: Input
    }

    /// One invalid value per rule of a field a client writes.
    static func invalidValues(for field: ResolvedField) -> [Invalid] {
        var invalid: [Invalid] = []
        if field.requiredOnCreate { invalid.append(Invalid(rule: "required", input: .missing)) }
        if !field.nullable { invalid.append(Invalid(rule: "not null", input: .null)) }
        switch field.kind {
        case .string, .text:
            invalid.append(Invalid(rule: "type: \(field.spec.type.name)", input: .value(7)))
            if let minimum = field.spec.minLength, minimum > 0 {
                invalid.append(Invalid(rule: "min_length: \(minimum)", input: .value(.string(String(repeating: "x", count: minimum - 1)))))
            }
            if let maximum = field.effectiveMaxLength {
                invalid.append(Invalid(rule: "max_length: \(maximum)", input: .value(.string(tooLong(maximum + 1, format: field.spec.format)))))
            }
            switch field.spec.format {
            case .email: invalid.append(Invalid(rule: "format: email", input: .value("not an email")))
            case .url: invalid.append(Invalid(rule: "format: url", input: .value("not a url")))
            case .slug: invalid.append(Invalid(rule: "format: slug", input: .value("Not A Slug")))
            case nil:
                // (A formatted string with NUL in it breaks its format first.)
                invalid.append(Invalid(rule: "no NUL character", input: .value(.string(nulText(field)))))
            }
        case .int32, .int64:
            invalid.append(Invalid(rule: "type: \(field.spec.type.name) (a string)", input: .value("7")))
            invalid.append(Invalid(rule: "type: \(field.spec.type.name) (a fraction)", input: .value(.number("1.5"))))
            if let minimum = field.spec.minimum, minimum > Int64.min {
                invalid.append(Invalid(rule: "min: \(minimum)", input: .value(.integer(minimum - 1))))
            }
            if let maximum = field.spec.maximum, maximum < Int64.max {
                invalid.append(Invalid(rule: "max: \(maximum)", input: .value(.integer(maximum + 1))))
            } else if field.kind == .int32 {
                invalid.append(Invalid(rule: "type: int32 (out of range)", input: .value(.integer(Int64(Int32.max) + 1))))
            }
        case .decimal(let precision, let scale):
            invalid.append(Invalid(rule: "type: decimal", input: .value(7)))
            invalid.append(Invalid(rule: "scale: \(scale)", input: .value(.string("0." + String(repeating: "1", count: scale + 1)))))
            invalid.append(Invalid(rule: "precision: \(precision)", input: .value(.string(String(repeating: "9", count: precision - scale + 1)))))
            // One unit of the last decimal past a bound, so that no other rule breaks.
            if let minimum = field.spec.minimum, let units = units(minimum, scale: scale, plus: -1) {
                invalid.append(Invalid(rule: "min: \(minimum)", input: .value(.string(decimalText(units: units, scale: scale)))))
            }
            if let maximum = field.spec.maximum, let units = units(maximum, scale: scale, plus: 1) {
                invalid.append(Invalid(rule: "max: \(maximum)", input: .value(.string(decimalText(units: units, scale: scale)))))
            }
        case .bool:
            invalid.append(Invalid(rule: "type: bool", input: .value("yes")))
        case .uuid:
            invalid.append(Invalid(rule: "type: uuid", input: .value("not-a-uuid")))
        case .reference:
            invalid.append(Invalid(rule: "type: ref", input: .value("not-a-uuid")))
            if let target = field.reference?.resource {
                invalid.append(Invalid(rule: "to: \(target)", input: .value("0193a5c8-7d2e-7000-8000-0000000dead0")))
            }
        case .date:
            invalid.append(Invalid(rule: "type: date", input: .value("2026-02-30")))
        case .datetime:
            invalid.append(Invalid(rule: "type: datetime", input: .value("2026-01-31 09:30")))
        case .enumeration(_, let values):
            let wrong = values.contains("unknown") ? "not-a-value" : "unknown"
            invalid.append(Invalid(rule: "values: [\(values.joined(separator: ", "))]", input: .value(.string(wrong))))
        case .json:
            invalid.append(Invalid(rule: "no NUL character", input: .value(["key": .string("a\u{0}b")])))
        }
        if field.unique { invalid.append(Invalid(rule: "unique", input: .duplicate)) }
        return invalid
    }

    // MARK: - Helpers

    /// A UUID v7 that stands for a row of `resource` in examples: the same for every reference to
    /// it, different for different resources (FNV-1a of the name in the last 12 digits).
    static func exampleID(of resource: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in resource.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let digits = String(hash & 0xFFFF_FFFF_FFFF, radix: 16)
        return "0193a5c8-7d2e-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }

    /// A string of `length` characters in the field's format (so that only the length is wrong).
    private static func tooLong(_ length: Int, format: StringFormat?) -> String {
        switch format {
        case .email where length > "a@example.com".count:
            return String(repeating: "a", count: length - "@example.com".count) + "@example.com"
        case .url where length > "https://example.com/".count:
            return "https://example.com/" + String(repeating: "x", count: length - "https://example.com/".count)
        default:
            return String(repeating: "x", count: length)
        }
    }

    /// `bound * 10^scale + plus`, or nil when that overflows.
    private static func units(_ bound: Int64, scale: Int, plus: Int64) -> Int64? {
        let (scaled, overflow) = bound.multipliedReportingOverflow(by: power(scale))
        guard !overflow else { return nil }
        let (sum, overflowed) = scaled.addingReportingOverflow(plus)
        return overflowed ? nil : sum
    }

    /// `a<NUL>b`, within the field's length bounds.
    private static func nulText(_ field: ResolvedField) -> String {
        var text = "a\u{0}b"
        while text.count < field.spec.minLength ?? 0 { text += "x" }
        return text
    }

    static func defaultDocument(_ value: DefaultValue) -> Document {
        switch value {
        case .string(let text): .string(text)
        case .integer(let number): .integer(number)
        case .decimal(let text): .string(text)
        case .bool(let flag): .bool(flag)
        }
    }

    /// `text`, cut to the field's maximum length and padded to its minimum.
    private static func bounded(_ text: String, _ field: ResolvedField) -> String {
        var bounded = String(text.prefix(field.effectiveMaxLength ?? text.count))
        while bounded.count < field.spec.minLength ?? 0 { bounded += "x" }
        return bounded
    }

    private static func power(_ exponent: Int) -> Int64 {
        (0..<min(exponent, 18)).reduce(Int64(1)) { value, _ in value * 10 }
    }

    /// `units` (of 10^-scale) moved into the field's bounds and what its precision holds.
    private static func clamp(_ units: Int64, _ field: ResolvedField, scale: Int) -> Int64 {
        var value = units
        if case .decimal(let precision, _) = field.kind {
            let largest = power(precision) - 1
            value = min(max(value, -largest), largest)
        }
        if let minimum = field.spec.minimum, let low = Self.units(minimum, scale: scale, plus: 0) { value = max(value, low) }
        if let maximum = field.spec.maximum, let high = Self.units(maximum, scale: scale, plus: 0) { value = min(value, high) }
        return value
    }

    /// `"12.5"` at scale 2 -> 1250.
    private static func units(_ text: String, scale: Int) -> Int64? {
        let negative = text.hasPrefix("-")
        let parts = (negative ? text.dropFirst() : Substring(text)).split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = Int64(parts[0]) else { return nil }
        let fraction = parts.count > 1 ? String(parts[1].prefix(scale)) : ""
        let decimals = Int64(fraction + String(repeating: "0", count: scale - fraction.count)) ?? 0
        let value = whole * power(scale) + decimals
        return negative ? -value : value
    }

    /// 1250 at scale 2 -> `"12.50"`.
    static func decimalText(units: Int64, scale: Int) -> String {
        let unit = UInt64(power(scale))
        let magnitude = units.magnitude
        let sign = units < 0 ? "-" : ""
        guard scale > 0 else { return "\(sign)\(magnitude)" }
        let fraction = String(magnitude % unit)
        return "\(sign)\(magnitude / unit)." + String(repeating: "0", count: scale - fraction.count) + fraction
    }
}
