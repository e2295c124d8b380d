import Crypto

/// Hex-encoded HMAC-SHA256 signatures: decoding them, and checking them in constant time.
enum HexSignature {
    /// The 32 bytes of a 64-digit hex signature (either case), after `prefix` (compared without
    /// regard to case) when present; nil when it is anything else. `prefixRequired` refuses one without it.
    static func decode(_ text: some StringProtocol, prefix: String? = nil, prefixRequired: Bool = false) -> [UInt8]? {
        var digits = Substring(text).trimmingWhitespace()
        if let prefix {
            if digits.lowercased().hasPrefix(prefix.lowercased()) {
                digits = digits.dropFirst(prefix.count)
            } else if prefixRequired {
                return nil
            }
        }
        let utf8 = Array(digits.utf8)
        guard utf8.count == 2 * SHA256.byteCount else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(SHA256.byteCount)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Whether `code` is the HMAC-SHA256 of `message` under one of `keys`; each comparison takes
    /// the same time wherever the bytes differ.
    static func isValid(_ code: [UInt8], for message: [UInt8], keys: [SymmetricKey]) -> Bool {
        var valid = false
        for key in keys where HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: key) {
            valid = true
        }
        return valid
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
