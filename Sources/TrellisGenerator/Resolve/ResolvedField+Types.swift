import Foundation
import TrellisSpec

extension ResolvedField {
    /// The Swift type of the value (without optionality).
    public var swiftType: String {
        switch kind {
        case .string, .text: "String"
        case .int32: "Int32"
        case .int64: "Int64"
        case .bool: "Bool"
        case .uuid, .reference: "UUID"
        case .date: "CalendarDate"
        case .datetime: "Timestamp"
        case .json: "JSONValue"
        case .decimal: "Decimal"
        case .enumeration(let typeName, _): typeName
        }
    }

    /// The PostgreSQL column type.
    public var sqlType: String {
        switch kind {
        case .string, .text, .enumeration: "text"
        case .int32: "integer"
        case .int64: "bigint"
        case .bool: "boolean"
        case .uuid, .reference: "uuid"
        case .date: "date"
        case .datetime: "timestamptz"
        case .json: "jsonb"
        case .decimal(let precision, let scale): "numeric(\(precision), \(scale))"
        }
    }

    /// The cast a cursor value (PostgreSQL text) needs to compare with the column.
    public var sqlCastType: String {
        switch kind {
        case .decimal: "numeric"
        default: sqlType
        }
    }

    /// The default as a SQL literal.
    public var sqlDefault: String? {
        guard let value = spec.defaultValue?.value else { return nil }
        switch value {
        case .string(let text): return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .integer(let number): return String(number)
        case .decimal(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        }
    }

    /// The default as a Swift expression of ``swiftType``.
    public var swiftDefault: String? {
        guard let value = spec.defaultValue?.value else { return nil }
        switch (value, kind) {
        case (.string(let text), .enumeration): return "." + SwiftNames.enumCase(text)
        case (.string(let text), _): return SwiftNames.stringLiteral(text)
        case (.integer(let number), _): return String(number)
        case (.bool(let flag), _): return flag ? "true" : "false"
        case (.decimal(let text), _): return DecimalLiteral(text).swiftExpression
        }
    }

    /// The runtime `Check` expression for this field's constraints, or nil when there are none.
    public var swiftCheck: String? {
        var checks: [String] = []
        switch kind {
        case .string, .text:
            let maxLength = spec.maxLength ?? (kind == .string ? 255 : nil)
            let bounds = [spec.minLength.map { "min: \($0)" }, maxLength.map { "max: \($0)" }].compactMap { $0 }
            if !bounds.isEmpty { checks.append(".length(\(bounds.joined(separator: ", ")))") }
            if let format = spec.format { checks.append(".format(.\(format.rawValue))") }
        case .int32, .int64:
            let bounds = [spec.minimum.map { "min: \($0)" }, spec.maximum.map { "max: \($0)" }].compactMap { $0 }
            if !bounds.isEmpty { checks.append(".range(\(bounds.joined(separator: ", ")))") }
        case .decimal(let precision, let scale):
            checks.append(".digits(precision: \(precision), scale: \(scale))")
            let bounds = [spec.minimum.map { "min: \($0)" }, spec.maximum.map { "max: \($0)" }].compactMap { $0 }
            if !bounds.isEmpty { checks.append(".range(\(bounds.joined(separator: ", ")))") }
        default: break
        }
        switch checks.count {
        case 0: return nil
        case 1: return checks[0]
        default: return ".all(\(checks.joined(separator: ", ")))"
        }
    }

    /// The maximum length the API accepts for a string field (`string` defaults to 255).
    public var effectiveMaxLength: Int? {
        switch kind {
        case .string: spec.maxLength ?? 255
        case .text: spec.maxLength
        default: nil
        }
    }

    /// Whether a create request must include the field.
    public var requiredOnCreate: Bool { spec.required && spec.defaultValue == nil && setFrom == nil }
}

/// A decimal literal split into significand and exponent, so generated code builds it exactly.
struct DecimalLiteral {
    var negative: Bool
    var significand: String
    var exponent: Int

    init(_ text: String) {
        var digits = Substring(text)
        negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? parts[1] : ""
        let whole = String(parts[0]) + fraction
        let trimmed = whole.drop { $0 == "0" }
        significand = trimmed.isEmpty ? "0" : String(trimmed)
        exponent = -fraction.count
    }

    var swiftExpression: String {
        "Decimal(sign: .\(negative ? "minus" : "plus"), exponent: \(exponent), significand: \(significand))"
    }
}
