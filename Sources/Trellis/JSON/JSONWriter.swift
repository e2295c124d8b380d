import Foundation
import NIOCore

/// A value that writes its own compact JSON straight into a `ByteBuffer`: no `JSONEncoder`, no
/// intermediate strings. Generated models conform, with their keys pre-escaped as static strings.
public protocol JSONWritable {
    /// Appends this value's JSON text to `buffer`.
    func writeJSON(into buffer: inout ByteBuffer)
}

extension ByteBuffer {
    /// Appends the JSON text of `value`.
    @inlinable
    public mutating func writeJSON(_ value: some JSONWritable) {
        value.writeJSON(into: &self)
    }

    /// Appends `value` as a quoted JSON string, escaped per RFC 8259: `"` and `\` with a
    /// backslash, control characters below U+0020 as `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`;
    /// everything else as raw UTF-8. Runs that need no escaping are copied in bulk.
    public mutating func writeJSONString(_ value: String) {
        writeInteger(UInt8(ascii: "\""))
        let written: Void? = value.utf8.withContiguousStorageIfAvailable { bytes in
            writeJSONStringContents(bytes)
        }
        if written == nil {
            var copy = value
            copy.withUTF8 { writeJSONStringContents($0) }
        }
        writeInteger(UInt8(ascii: "\""))
    }

    /// The escaped contents of a JSON string, without the quotes.
    private mutating func writeJSONStringContents(_ bytes: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            if runStart < index {
                writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[runStart..<index]))
            }
            switch byte {
            case UInt8(ascii: "\""): writeStaticString("\\\"")
            case UInt8(ascii: "\\"): writeStaticString("\\\\")
            case 0x0A: writeStaticString("\\n")
            case 0x0D: writeStaticString("\\r")
            case 0x09: writeStaticString("\\t")
            case 0x08: writeStaticString("\\b")
            case 0x0C: writeStaticString("\\f")
            default:
                writeStaticString("\\u00")
                writeInteger(hexDigit(byte >> 4))
                writeInteger(hexDigit(byte & 0x0F))
            }
            index += 1
            runStart = index
        }
        if runStart < bytes.count {
            writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[runStart...]))
        }
    }

    /// Appends the decimal digits of `value` (a JSON number) without building a `String`.
    mutating func writeJSONInteger(_ value: Int64) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { output in
            var magnitude = value.magnitude
            var length = 1
            var limit: UInt64 = 10
            while length < 20, magnitude >= limit {
                length += 1
                limit = limit &* 10
            }
            let sign = value < 0 ? 1 : 0
            if sign == 1 { output[0] = UInt8(ascii: "-") }
            var position = sign + length
            repeat {
                position -= 1
                output[position] = UInt8(truncatingIfNeeded: 0x30 + magnitude % 10)
                magnitude /= 10
            } while position > sign
            return sign + length
        }
    }
}

/// The lowercase hexadecimal digit for `nibble` (0...15).
@inline(__always)
func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? 0x30 + nibble : 0x57 + nibble
}

extension String: JSONWritable {
    /// A quoted, escaped JSON string (see ``NIOCore/ByteBuffer/writeJSONString(_:)``).
    public func writeJSON(into buffer: inout ByteBuffer) { buffer.writeJSONString(self) }
}

extension Bool: JSONWritable {
    /// `true` or `false`.
    public func writeJSON(into buffer: inout ByteBuffer) { buffer.writeStaticString(self ? "true" : "false") }
}

extension Int: JSONWritable {
    /// A JSON number.
    public func writeJSON(into buffer: inout ByteBuffer) { buffer.writeJSONInteger(Int64(self)) }
}

extension Int32: JSONWritable {
    /// A JSON number.
    public func writeJSON(into buffer: inout ByteBuffer) { buffer.writeJSONInteger(Int64(self)) }
}

extension Int64: JSONWritable {
    /// A JSON number.
    public func writeJSON(into buffer: inout ByteBuffer) { buffer.writeJSONInteger(self) }
}

extension Double: JSONWritable {
    /// Finite numbers in Swift's shortest round-trip form (`0.1`, `1e-05`, `1e+16`, which are all
    /// valid JSON); NaN and infinities, which JSON cannot express, as `null`.
    public func writeJSON(into buffer: inout ByteBuffer) {
        if isFinite { buffer.writeString(description) } else { buffer.writeStaticString("null") }
    }
}

extension Decimal: JSONWritable {
    /// A JSON string such as `"12.5"`, so that no client parses it into a lossy float; NaN as
    /// `null`.
    public func writeJSON(into buffer: inout ByteBuffer) {
        if isNaN { buffer.writeStaticString("null") } else { buffer.writeJSONString(description) }
    }
}

extension UUID: JSONWritable {
    /// The quoted lowercase canonical form (`"0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b"`), written
    /// from the bytes.
    public func writeJSON(into buffer: inout ByteBuffer) {
        _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 38) { output in
            output[0] = UInt8(ascii: "\"")
            let end = 1 + writeCanonical(into: UnsafeMutableRawBufferPointer(rebasing: output[1...]))
            output[end] = UInt8(ascii: "\"")
            return end + 1
        }
    }
}

extension Timestamp: JSONWritable {
    /// The quoted ``Timestamp/rfc3339`` text.
    public func writeJSON(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        write(to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}

extension CalendarDate: JSONWritable {
    /// The quoted `YYYY-MM-DD` text.
    public func writeJSON(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        write(to: &buffer)
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}

extension Optional: JSONWritable where Wrapped: JSONWritable {
    /// The wrapped value, or `null`.
    public func writeJSON(into buffer: inout ByteBuffer) {
        if let value = self { value.writeJSON(into: &buffer) } else { buffer.writeStaticString("null") }
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    /// A JSON array of the elements, in order, without whitespace.
    public func writeJSON(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "["))
        var first = true
        for element in self {
            if first { first = false } else { buffer.writeInteger(UInt8(ascii: ",")) }
            element.writeJSON(into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }
}
