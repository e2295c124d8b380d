import Foundation
import NIOCore

extension ByteBuffer {
    /// Writes a decimal column as a JSON string with exactly `scale` fraction digits, as
    /// PostgreSQL's `numeric(p, s)` shows it (`"12.50"`, not `"12.5"`); NaN, which the API never
    /// stores but a numeric column can hold, is `null`.
    public mutating func writeJSONDecimal(_ value: Decimal, scale: Int) {
        guard !value.isNaN else {
            writeStaticString("null")
            return
        }
        // Digits, a sign and a point only: nothing to escape, so the text goes out as it is,
        // then the zeros that bring its fraction to `scale` digits.
        let text = value.description
        writeInteger(UInt8(ascii: "\""))
        writeString(text)
        if scale > 0 {
            var fractionDigits = 0
            var seenPoint = false
            for byte in text.utf8 {
                if seenPoint { fractionDigits += 1 } else if byte == UInt8(ascii: ".") { seenPoint = true }
            }
            if !seenPoint { writeInteger(UInt8(ascii: ".")) }
            for _ in fractionDigits..<max(fractionDigits, scale) { writeInteger(UInt8(ascii: "0")) }
        }
        writeInteger(UInt8(ascii: "\""))
    }

    /// ``writeJSONDecimal(_:scale:)`` for an optional column; nil writes `null`.
    public mutating func writeJSONDecimal(_ value: Decimal?, scale: Int) {
        if let value { writeJSONDecimal(value, scale: scale) } else { writeStaticString("null") }
    }
}
