import Foundation

/// Reads back what the mail layer writes, independently of it: header unfolding, RFC 2047 `B`
/// and `Q` encoded words, `multipart/*` parts and quoted-printable bodies.
public enum MIMEDecoding {
    /// A part (or a whole message): its headers (names lowercased, values unfolded) and raw body.
    public struct Part {
        public var headers: [(name: String, value: String)]
        public var body: String

        public func header(_ name: String) -> String? {
            headers.first { $0.name == name.lowercased() }?.value
        }
    }

    /// Splits `raw` (CRLF line endings) at its first empty line.
    public static func parse(_ raw: String) -> Part {
        let text = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let split = text.range(of: "\n\n")
        let head = split.map { String(text[..<$0.lowerBound]) } ?? text
        let body = split.map { String(text[$0.upperBound...]) } ?? ""
        var headers: [(String, String)] = []
        for line in head.split(separator: "\n") {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].1 += String(line)  // unfolding removes the CRLF only
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(
                    (
                        line[..<colon].lowercased(),
                        String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                    ))
            }
        }
        return Part(headers: headers.map { (name: $0.0, value: $0.1) }, body: body)
    }

    /// The parts of a multipart body, by the `boundary` parameter of its Content-Type.
    public static func parts(of message: Part) -> [Part] {
        guard let type = message.header("content-type"), let range = type.range(of: "boundary=") else {
            return []
        }
        var boundary = String(type[range.upperBound...])
        if boundary.hasPrefix("\"") { boundary = String(boundary.dropFirst().prefix { $0 != "\"" }) }
        let chunks = ("\n" + message.body).components(separatedBy: "\n--" + boundary)
        // chunks[0] is the preamble; the last starts with "--" (the close delimiter).
        return chunks.dropFirst().filter { !$0.hasPrefix("--") }.map { chunk in
            parse(String(chunk.drop { $0 != "\n" }.dropFirst()))
        }
    }

    /// The UTF-8 text a quoted-printable body (LF line endings) encodes; lines end in LF.
    public static func quotedPrintable(_ body: String) -> String {
        var bytes: [UInt8] = []
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            var utf8 = Array(line.utf8)
            var soft = false
            if utf8.last == UInt8(ascii: "=") {
                soft = true
                utf8.removeLast()
            }
            var position = 0
            while position < utf8.count {
                if utf8[position] == UInt8(ascii: "="), position + 2 < utf8.count,
                    let value = UInt8(
                        String(decoding: utf8[(position + 1)...(position + 2)], as: UTF8.self), radix: 16)
                {
                    bytes.append(value)
                    position += 3
                } else {
                    bytes.append(utf8[position])
                    position += 1
                }
            }
            if !soft, index < lines.count - 1 { bytes.append(UInt8(ascii: "\n")) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A header value with its RFC 2047 encoded words decoded (whitespace between two encoded
    /// words dropped, as RFC 2047 says).
    public static func decodeWords(_ value: String) -> String {
        let pattern = try! NSRegularExpression(pattern: #"=\?([^?]+)\?([BbQq])\?([^?]*)\?="#)
        var output = ""
        var rest = value
        var previousWasWord = false
        while let match = pattern.firstMatch(
            in: rest, range: NSRange(location: 0, length: rest.utf16.count))
        {
            let whole = Range(match.range, in: rest)!
            let between = String(rest[..<whole.lowerBound])
            if !(previousWasWord && between.allSatisfy(\.isWhitespace)) { output += between }
            let encoding = String(rest[Range(match.range(at: 2), in: rest)!]).uppercased()
            let payload = String(rest[Range(match.range(at: 3), in: rest)!])
            if encoding == "B", let data = Data(base64Encoded: payload) {
                output += String(decoding: data, as: UTF8.self)
            } else {
                output += quotedPrintable(payload.replacingOccurrences(of: "_", with: " "))
            }
            previousWasWord = true
            rest = String(rest[whole.upperBound...])
        }
        return output + rest
    }
}
