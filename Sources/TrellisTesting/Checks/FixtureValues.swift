import Foundation
import Trellis

extension FieldContract {
    /// A valid value for the `row`-th row a test makes: the spec's example for the first row,
    /// values that differ from row to row after it (so sorting has something to order), and values
    /// tagged with the test (`tag`) for unique fields, which may live in a table every test shares.
    func value(row: Int, tag: String) -> JSONValue {
        if row == 0 && !unique { return example }
        switch kind {
        case .string(let format): return .string(distinctText(row: row, tag: tag, format: format))
        case .text: return .string(distinctText(row: row, tag: tag, format: nil))
        case .int32, .int64: return .integer(distinctInteger(row: row, tag: tag))
        case .decimal(let precision, let scale): return .string(distinctDecimal(row: row, tag: tag, precision: precision, scale: scale))
        case .bool: return .bool(row.isMultiple(of: 2) == (example == .bool(true)))
        case .uuid: return .string(UUID.stable("\(tag)/\(name)/\(row)").lowercasedString)
        case .date: return .string(String(Self.day(Int(block(tag, span: 400_000)) + row).rfc3339.prefix(10)))
        case .datetime:
            let hours = block(tag, span: 9_000_000) + Int64(row)
            return .string(Timestamp(microsecondsSinceEpoch: Self.day(0).microsecondsSinceEpoch + hours * 3_600_000_000).rfc3339)
        case .enumeration(let values):
            let start = values.firstIndex { .string($0) == example } ?? 0
            return values.isEmpty ? example : .string(values[(start + row) % values.count])
        case .json: return ["row": .integer(Int64(row)), "tag": .string(tag)]
        case .reference: return example
        }
    }

    private static func day(_ offset: Int) -> Timestamp {
        Timestamp(microsecondsSinceEpoch: 1_769_817_600_000_000 + Int64(offset) * 86_400_000_000)  // 2026-01-31
    }

    /// The example with a suffix naming the test and the row, kept within the length bounds.
    private func distinctText(row: Int, tag: String, format: Format?) -> String {
        let base = example.stringValue ?? name
        var text: String
        switch format {
        case .email:
            let parts = base.split(separator: "@", maxSplits: 1)
            let local = parts.first.map(String.init) ?? "user"
            let domain = parts.count > 1 ? String(parts[1]) : "example.com"
            let suffix = "+\(tag)\(row)@\(domain)"
            text = String(local.prefix(max(1, (maxLength ?? 254) - suffix.count))) + suffix
        case .url:
            text = fitted(base, suffix: "/\(tag)/\(row)", compact: "\(row)\(tag)")
        case .slug:
            text = fitted(base, suffix: "-\(tag)-\(row)", compact: "\(row)\(tag)", trimming: "-")
        case nil:
            text = fitted(base, suffix: " \(tag) \(row)", compact: "\(row)\(tag)", trimming: " ")
        }
        while text.count < (minLength ?? 0) { text += "x" }
        return text
    }

    /// The first row of a unique field's values in a test tagged `tag`: a block of 8 rows of its
    /// own out of `span` values, so that tests sharing a table do not collide (0 for other fields,
    /// whose values only need to differ within one test).
    private func block(_ tag: String, span: Int64) -> Int64 {
        guard unique, span >= 16 else { return 0 }
        return Int64(Self.number(tag) % UInt64(span / 8)) * 8
    }

    /// `base` cut so that `base + suffix` fits `maxLength`; when even the suffix does not fit, the
    /// row number and as much of the test's tag as fits.
    private func fitted(_ base: String, suffix: String, compact: String, trimming separator: Character? = nil) -> String {
        let limit = maxLength ?? Int.max
        guard base.count + suffix.count > limit else { return base + suffix }
        guard suffix.count <= limit else { return String(compact.prefix(limit)) }
        var head = String(base.prefix(max(0, limit - suffix.count)))
        while let separator, head.last == separator { head.removeLast() }
        var tail = suffix
        if head.isEmpty, let separator, tail.first == separator { tail.removeFirst() }
        return String((head + tail).prefix(limit))
    }

    private func distinctInteger(row: Int, tag: String) -> Int64 {
        let bits: ClosedRange<Int64> = kind == .int32 ? Int64(Int32.min)...Int64(Int32.max) : Int64.min...Int64.max
        let low = minimum.flatMap { Int64($0) } ?? 0
        let high = min(maximum.flatMap { Int64($0) } ?? bits.upperBound, low + 1_000_000)
        let span = high - low + 1
        let start = (example.integer ?? low) - low
        return low + (start + block(tag, span: span) + Int64(row)).modulo(span)
    }

    /// A number within the bounds, in steps of 1 when they allow it (else the smallest step),
    /// written with exactly `scale` decimals.
    private func distinctDecimal(row: Int, tag: String, precision: Int, scale: Int) -> String {
        let unit = Self.power(scale)
        let ceiling = Self.power(min(18, precision)) - 1  // largest number of units the column holds
        let low = minimum.flatMap { Self.units($0, scale: scale) } ?? 0
        let high = min(maximum.flatMap { Self.units($0, scale: scale) } ?? ceiling, ceiling)
        let start = (example.stringValue.flatMap { Self.units($0, scale: scale) } ?? low) - low
        let step = high - low >= 100 * unit ? unit : 1
        let span = (high - low) / step + 1
        return Self.text(units: low + ((start / step + block(tag, span: span) + Int64(row)).modulo(span)) * step, scale: scale)
    }

    private static func power(_ exponent: Int) -> Int64 {
        (0..<min(exponent, 18)).reduce(Int64(1)) { value, _ in value * 10 }
    }

    /// `"12.5"` at scale 2 -> 1250.
    private static func units(_ text: String, scale: Int) -> Int64? {
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : Substring(text)
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])) else { return nil }
        let fraction = parts.count > 1 ? String(parts[1].prefix(scale)) : ""
        let padded = fraction + String(repeating: "0", count: scale - fraction.count)
        guard let decimals = padded.isEmpty ? 0 : Int64(padded) else { return nil }
        let value = whole * power(scale) + decimals
        return negative ? -value : value
    }

    /// 1250 at scale 2 -> `"12.50"`.
    private static func text(units: Int64, scale: Int) -> String {
        let sign = units < 0 ? "-" : ""
        let magnitude = units.magnitude
        let unit = UInt64(power(scale))
        let whole = magnitude / unit
        guard scale > 0 else { return "\(sign)\(whole)" }
        let fraction = String(magnitude % unit)
        return "\(sign)\(whole)." + String(repeating: "0", count: scale - fraction.count) + fraction
    }

    /// A number that depends on `tag` only.
    private static func number(_ tag: String) -> UInt64 {
        UInt64(tag.prefix(8), radix: 16) ?? 0
    }
}

extension JSONValue {
    /// The value of an integer.
    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

extension Int64 {
    /// The remainder of a division by `divisor`, never negative.
    fileprivate func modulo(_ divisor: Int64) -> Int64 {
        guard divisor > 0 else { return 0 }
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }
}
