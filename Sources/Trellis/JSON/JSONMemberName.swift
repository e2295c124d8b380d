import Foundation

/// An object member's name as the syntax checker meets it: the raw text between the quotes
/// (escapes and all), hashed and compared by the string it stands for.
///
/// Two names are equal when Foundation's decoder would make them one dictionary key: after
/// unescaping (`"a"` and `"\u0061"`), and under Swift's string equality, which is canonical
/// equivalence (`"é"` and `"e\u0301"`, `"K"` and the Kelvin sign `"\u212A"`). ASCII names (nearly
/// all) are hashed and compared byte by byte without allocating; other names go through `String`.
struct JSONMemberName: Hashable {
    /// The offset of the `{` of the object the member belongs to.
    let object: Int
    /// The name's text between its quotes; it has passed the syntax check.
    let text: UnsafeBufferPointer<UInt8>
    /// Whether the unescaped name is all ASCII.
    let isASCII: Bool
    /// The hash of the unescaped name's UTF-8 in normalization form C (equal for equal names).
    let nameHash: Int

    init(object: Int, text: UnsafeBufferPointer<UInt8>) {
        self.object = object
        self.text = text
        var hasher = Hasher()
        var isASCII = true
        for byte in JSONUnescapedUTF8(text) {
            hasher.combine(byte)
            isASCII = isASCII && byte < 0x80
        }
        if !isASCII {
            // Canonically equivalent names share their NFC form, and an ASCII name is its own.
            hasher = Hasher()
            for byte in JSONUnescapedUTF8(text).string.precomposedStringWithCanonicalMapping.utf8 { hasher.combine(byte) }
        }
        self.isASCII = isASCII
        self.nameHash = hasher.finalize()
    }

    /// The unescaped name, for messages.
    var string: String { JSONUnescapedUTF8(text).string }

    static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.object == rhs.object, lhs.nameHash == rhs.nameHash else { return false }
        if !(lhs.isASCII && rhs.isASCII),
            let left = String(validating: Array(JSONUnescapedUTF8(lhs.text)), as: UTF8.self),
            let right = String(validating: Array(JSONUnescapedUTF8(rhs.text)), as: UTF8.self)
        {
            return left == right
        }
        // ASCII, or not UTF-8 (a lone surrogate: Foundation refuses it anyway): byte for byte.
        return JSONUnescapedUTF8(lhs.text).elementsEqual(JSONUnescapedUTF8(rhs.text))
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(object)
        hasher.combine(nameHash)
    }
}

/// The UTF-8 bytes that the contents of a JSON string (without its quotes) stand for, with
/// escapes decoded; the contents must have passed the syntax check. An escaped surrogate pair
/// decodes as the one scalar it encodes; a lone escaped surrogate (which Foundation refuses later)
/// decodes as its three-byte generalized UTF-8.
struct JSONUnescapedUTF8: Sequence, IteratorProtocol {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// Bytes of a decoded escape still to return, first in the low byte.
    private var pending: UInt32 = 0
    private var pendingCount = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The decoded string (invalid UTF-8 is repaired with U+FFFD).
    var string: String { String(decoding: Array(self), as: UTF8.self) }

    mutating func next() -> UInt8? {
        if pendingCount > 0 {
            defer {
                pending >>= 8
                pendingCount -= 1
            }
            return UInt8(truncatingIfNeeded: pending)
        }
        guard index < bytes.count else { return nil }
        let byte = bytes[index]
        index += 1
        guard byte == UInt8(ascii: "\\"), index < bytes.count else { return byte }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"): return first(ofUTF8: unicodeEscape())
        default: return escape  // `"`, `\` or `/`
        }
    }

    /// The code point of the `\uXXXX` escape whose hex digits start at `index`, combined with a
    /// following `\uXXXX` low surrogate when it starts a pair.
    private mutating func unicodeEscape() -> UInt32 {
        let unit = hex(at: index)
        index += 4
        guard (0xD800..<0xDC00).contains(unit), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
        else { return unit }
        let low = hex(at: index + 2)
        guard (0xDC00..<0xE000).contains(low) else { return unit }
        index += 6
        return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
    }

    /// The four hex digits at `offset` (checked by the syntax check).
    private func hex(at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for byte in bytes[offset..<Swift.min(offset + 4, bytes.count)] {
            let digit = byte <= UInt8(ascii: "9") ? byte &- UInt8(ascii: "0") : (byte | 0x20) &- UInt8(ascii: "a") &+ 10
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Returns the first UTF-8 byte of `scalar` and queues the others.
    private mutating func first(ofUTF8 scalar: UInt32) -> UInt8 {
        guard scalar >= 0x80 else { return UInt8(scalar) }
        let count = scalar < 0x800 ? 1 : scalar < 0x1_0000 ? 2 : 3  // continuation bytes
        pending = 0
        for position in 0..<count {
            let bits = scalar >> (6 * UInt32(count - 1 - position)) & 0x3F
            pending |= (0x80 | bits) << (8 * UInt32(position))
        }
        pendingCount = count
        let lead: UInt32 = count == 1 ? 0xC0 : count == 2 ? 0xE0 : 0xF0
        return UInt8(lead | scalar >> (6 * UInt32(count)))
    }
}
