import Foundation

/// The encodings a rendered message is written in: quoted-printable bodies, RFC 2047 encoded
/// words, folded header lines and RFC 5322 dates. Everything it writes is 7-bit ASCII with CRLF
/// line endings.
enum MIMEEncoding {
    /// The longest line written (RFC 5322 asks for 78 characters; quoted-printable for 76).
    static let headerLineLimit = 78
    static let bodyLineLimit = 76
    /// UTF-8 bytes per encoded word: 39 bytes are 52 base64 characters, a 64-character word, so that
    /// `Subject: ` and one word fit in 78 characters.
    static let encodedWordBytes = 39

    // MARK: bodies

    /// `text` in quoted-printable (RFC 2045 6.7) of its UTF-8, lines ending in CRLF (any line ending
    /// in `text` becomes one), soft-broken to at most 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        var output: [String] = []
        for line in lines(of: text) {
            var encoded = ""
            var length = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let token: String
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    token = isLast ? hexEscape(byte) : String(UnicodeScalar(byte))
                case UInt8(ascii: "="):
                    token = hexEscape(byte)
                case 33...126:
                    token = String(UnicodeScalar(byte))
                default:
                    token = hexEscape(byte)
                }
                // Keep room for the soft break's "=", unless this is the line's last token.
                let room = isLast ? bodyLineLimit : bodyLineLimit - 1
                if length + token.utf8.count > room {
                    encoded += "=\r\n"
                    length = 0
                }
                encoded += token
                length += token.utf8.count
            }
            output.append(encoded)
        }
        return output.joined(separator: "\r\n")
    }

    /// The lines of `text`, split at CRLF, CR or LF.
    static func lines(of text: String) -> [Substring] {
        // Swift treats "\r\n" as one Character, so splitting on Character.isNewline covers all three.
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    private static func hexEscape(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    // MARK: headers

    /// Whether `value` holds a character that has no place in a header value: a control character
    /// (CR, LF, tab, NUL, ...) or a Unicode line or paragraph separator.
    static func hasControlCharacters(_ value: String) -> Bool {
        value.unicodeScalars.contains { scalar in
            scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator
        }
    }

    private static func isPrintableASCII(_ value: String) -> Bool {
        value.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }

    /// The tokens of an unstructured header value (`Subject`): its words as they are when it is
    /// printable ASCII that no decoder could take for an encoded word, RFC 2047 encoded words
    /// otherwise. Joined by one space or by a fold, they read back as `value`.
    static func unstructuredTokens(_ value: String) -> [String] {
        let words = value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if isPrintableASCII(value), !value.contains("=?"), words.allSatisfy({ $0.utf8.count <= 900 }) {
            return words
        }
        return encodedWords(value)
    }

    /// The tokens of a display name: its words when they are RFC 5322 atoms, one quoted string when
    /// it is other printable ASCII, RFC 2047 encoded words otherwise.
    static func phraseTokens(_ name: String) -> [String] {
        let words = name.split(separator: " ").map(String.init)
        let atext = Set("!#$%&'*+-/=?^_`{|}~".utf8)
        let isAtom: (String) -> Bool = { word in
            word.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || atext.contains(byte)
            }
        }
        if isPrintableASCII(name), !name.contains("=?"), !words.isEmpty, words.allSatisfy(isAtom),
            words.allSatisfy({ $0.utf8.count <= 900 })
        {
            return words
        }
        if isPrintableASCII(name), !name.contains("=?"), name.utf8.count <= 900 {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            return ["\"\(escaped)\""]
        }
        return encodedWords(name)
    }

    /// `value` as RFC 2047 `B` encoded words of UTF-8, each of whole characters and at most
    /// ``encodedWordBytes`` bytes (one character longer than that gets a word of its own).
    static func encodedWords(_ value: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
            chunk = []
        }
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > encodedWordBytes { flush() }
            chunk += bytes
        }
        flush()
        return words.isEmpty ? ["=?UTF-8?B??="] : words
    }

    /// A header field `name: tokens...`, the tokens separated by one space or, where a line would
    /// pass 78 characters, by CRLF and a space (RFC 5322 folding); ends with CRLF.
    static func header(_ name: String, _ tokens: [String]) -> String {
        var field = name + ":"
        var lineLength = field.utf8.count
        for token in tokens {
            let length = token.utf8.count
            if !token.isEmpty, lineLength > name.utf8.count + 1, lineLength + 1 + length > headerLineLimit {
                field += "\r\n " + token
                lineLength = 1 + length
            } else {
                field += " " + token
                lineLength += 1 + length
            }
        }
        return field + "\r\n"
    }

    /// The tokens of an address list header: `name <address>` (or `address`), comma separated.
    static func addressTokens(_ addresses: [MailAddress]) -> [String] {
        var tokens: [String] = []
        for (index, address) in addresses.enumerated() {
            var own: [String] = []
            if let name = address.name, !name.isEmpty { own = phraseTokens(name) }
            own.append(own.isEmpty ? address.address : "<\(address.address)>")
            if index < addresses.count - 1 { own[own.count - 1] += "," }
            tokens += own
        }
        return tokens
    }

    // MARK: dates

    /// `date` as an RFC 5322 date-time in UTC: `Tue, 04 Mar 2025 09:05:00 +0000`.
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        return
            "\(days[(parts.weekday ?? 1) - 1]), \(two(parts.day)) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
