/// Base64url without padding (RFC 4648 §5), for tokens and cursors that travel in URLs.
///
/// Written out rather than through Foundation's base64 plus three `replacingOccurrences`, which
/// bridged to `NSString` and cost a list page several percent of its time in the cursor alone.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The characters of `bytes`: four for every three bytes, the last group shortened, no `=`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let count = bytes.count
        let length = (count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: length) { output in
            var index = bytes.startIndex
            var written = 0
            var remaining = count
            while remaining > 0 {
                let first = UInt32(bytes[index])
                index = bytes.index(after: index)
                let second = remaining > 1 ? UInt32(bytes[index]) : 0
                if remaining > 1 { index = bytes.index(after: index) }
                let third = remaining > 2 ? UInt32(bytes[index]) : 0
                if remaining > 2 { index = bytes.index(after: index) }
                let group = first << 16 | second << 8 | third
                let characters = min(remaining, 3) + 1
                for position in 0..<characters {
                    output[written] = alphabet[Int(group >> (18 - 6 * UInt32(position)) & 0x3F)]
                    written += 1
                }
                remaining -= 3
            }
            return written
        }
    }

    /// The bytes `text` encodes; nil for a character outside the alphabet, padding, or a length
    /// no encoding has (a remainder of one character).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let count = text.utf8.count
        guard count % 4 != 1 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 3 / 4)
        var group: UInt32 = 0
        var bits = 0
        for character in text.utf8 {
            guard let value = sextet(character) else { return nil }
            group = group << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: group >> UInt32(bits)))
            }
        }
        // The bits left over must be zero, so that each byte string has exactly one encoding.
        guard group & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return bytes
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
