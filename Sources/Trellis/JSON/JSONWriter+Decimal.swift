import Foundation
import NIOCore

extension ByteBuffer {
    /// Writes a decimal column as a JSON string with exactly `scale` fraction digits, as
    /// PostgreSQL's `numeric(p, s)` shows it (`"12.50"`, not `"12.5"`).
    public mutating func writeJSONDecimal(_ value: Decimal, scale: Int) {
        let text = value.description
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var result = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        if scale > 0 || !fraction.isEmpty {
            result += "." + fraction + String(repeating: "0", count: max(0, scale - fraction.count))
        }
        writeJSONString(result)
    }

    /// ``writeJSONDecimal(_:scale:)`` for an optional column; nil writes `null`.
    public mutating func writeJSONDecimal(_ value: Decimal?, scale: Int) {
        if let value { writeJSONDecimal(value, scale: scale) } else { writeStaticString("null") }
    }
}
