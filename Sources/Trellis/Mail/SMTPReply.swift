import NIOCore

/// One SMTP reply: its three-digit code and its text lines (a multi-line reply, `250-...` lines
/// then a `250 ...` line, is one reply).
struct SMTPReply: Sendable, Hashable {
    var code: Int
    /// The text after the code of each line.
    var lines: [String]

    /// The lines joined by newlines.
    var text: String { lines.joined(separator: "\n") }
    /// 2xx.
    var isPositiveCompletion: Bool { (200..<300).contains(code) }
    /// 3xx: the server waits for more (354 after DATA, 334 during AUTH).
    var isPositiveIntermediate: Bool { (300..<400).contains(code) }

    /// The keywords of an EHLO reply's extension lines, upper-cased, with their parameters:
    /// `["STARTTLS": [], "AUTH": ["PLAIN", "LOGIN"], "SIZE": ["35882577"]]`. The first line
    /// (the greeting) is not an extension.
    var extensions: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            result[keyword, default: []] += words.dropFirst()
        }
        return result
    }
}

/// Decodes SMTP replies from the bytes the server sends: lines ending in CRLF (a bare LF is taken
/// too), `ddd-text` lines continuing a reply and a `ddd text` (or bare `ddd`) line ending it.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// Errors for replies that are not SMTP.
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static let maximumLineLength = 4096
    static let maximumLines = 200

    private var code: Int?
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws
        -> DecodingState
    {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > Self.maximumLineLength {
                throw Malformed(description: "a reply line longer than \(Self.maximumLineLength) bytes")
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        guard length <= Self.maximumLineLength else {
            throw Malformed(description: "a reply line longer than \(Self.maximumLineLength) bytes")
        }
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }

        let bytes = Array(line.utf8)
        guard bytes.count >= 3,
            bytes[0..<3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let lineCode = Int(String(decoding: bytes[0..<3], as: UTF8.self))
        else {
            throw Malformed(
                description: "a reply line without a three-digit code: \(line.prefix(80).debugDescription)")
        }
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw Malformed(
                description:
                    "a reply line whose code is not followed by a space or a hyphen: \(line.prefix(80).debugDescription)"
            )
        }
        if let code, code != lineCode {
            throw Malformed(
                description: "a multi-line reply whose lines have different codes (\(code), \(lineCode))")
        }
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard lines.count <= Self.maximumLines else {
            throw Malformed(description: "a reply of more than \(Self.maximumLines) lines")
        }

        if separator == UInt8(ascii: "-") {
            code = lineCode
        } else {
            context.fireChannelRead(wrapInboundOut(SMTPReply(code: lineCode, lines: lines)))
            code = nil
            lines = []
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool)
        throws -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
