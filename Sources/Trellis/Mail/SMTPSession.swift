import Foundation
import Logging
import NIOCore
import NIOSSL

/// One SMTP conversation on a connected channel, from the greeting to QUIT (RFC 5321, RFC 3207
/// STARTTLS, RFC 4954 AUTH). Each step (a command and its reply) has the configured time, after
/// which the channel is closed.
struct SMTPSession {
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let configuration: SMTPConfiguration
    let tlsContext: NIOSSLContext?
    let serverName: String?
    let deadline: SMTPStepDeadline
    let logger: Logger

    /// Says everything needed to hand `mail` to the server for `recipients`.
    mutating func deliver(_ mail: RenderedMail, from sender: String, to recipients: [String])
        async throws
    {
        let greeting = try await step("greeting", send: nil)
        guard greeting.code == 220 else {
            throw MailDeliveryError.smtp(step: "greeting", reply: greeting)
        }

        var extensions = try await hello(allowingHELO: configuration.security != .startTLS)
        if configuration.security == .startTLS {
            guard extensions["STARTTLS"] != nil else {
                throw MailDeliveryError(.permanent, .tlsUnavailable)
            }
            try await expect(220, step: "STARTTLS", send: "STARTTLS")
            try await startTLS()
            extensions = try await hello(allowingHELO: false)
        }
        if let username = configuration.username {
            try await authenticate(
                username: username, password: configuration.password ?? "", extensions: extensions)
        }
        try await expect(250, step: "MAIL FROM", send: "MAIL FROM:<\(sender)>")
        for recipient in recipients {
            let reply = try await step("RCPT TO", send: "RCPT TO:<\(recipient)>")
            guard reply.code == 250 || reply.code == 251 else {
                throw MailDeliveryError.smtp(step: "RCPT TO", reply: reply)
            }
        }
        try await expect(354, step: "DATA", send: "DATA")
        let accepted = try await step("end of data", sendBytes: Self.dotStuffed(mail.data))
        guard accepted.code == 250 else {
            throw MailDeliveryError.smtp(step: "end of data", reply: accepted)
        }
        logger.debug(
            "smtp server accepted the message",
            metadata: ["smtp_reply": "\(accepted.code) \(accepted.text)"])
        // The message is accepted: a failing QUIT changes nothing.
        _ = try? await step("QUIT", send: "QUIT")
    }

    /// EHLO, or HELO when the server refuses EHLO (and `allowingHELO`); the EHLO extensions.
    private mutating func hello(allowingHELO: Bool) async throws -> [String: [String]] {
        let reply = try await step("EHLO", send: "EHLO \(configuration.clientName)")
        if reply.code == 250 { return reply.extensions }
        guard allowingHELO, reply.code >= 500 else {
            throw MailDeliveryError.smtp(step: "EHLO", reply: reply)
        }
        try await expect(250, step: "HELO", send: "HELO \(configuration.clientName)")
        return [:]
    }

    /// Puts NIOSSL in front of the pipeline; the handshake runs before the next command goes out.
    private func startTLS() async throws {
        guard let tlsContext else { throw MailDeliveryError(.permanent, .tlsFailed("no TLS context")) }
        let (channel, serverName) = (channel, serverName)
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: tlsContext, serverHostname: serverName), position: .first)
        }.get()
    }

    /// AUTH PLAIN, else AUTH LOGIN, as the EHLO reply lists them.
    private mutating func authenticate(
        username: String, password: String, extensions: [String: [String]]
    ) async throws {
        // Some servers still write the pre-standard `AUTH=LOGIN PLAIN` line too.
        var mechanisms = Set(extensions["AUTH"] ?? [])
        for (keyword, parameters) in extensions where keyword.hasPrefix("AUTH=") {
            mechanisms.insert(String(keyword.dropFirst(5)))
            mechanisms.formUnion(parameters)
        }
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            try await expect(
                235, step: "AUTH PLAIN", send: "AUTH PLAIN " + base64("\0\(username)\0\(password)"))
        } else if mechanisms.contains("LOGIN") {
            try await expect(334, step: "AUTH LOGIN", send: "AUTH LOGIN")
            try await expect(334, step: "AUTH LOGIN (user name)", send: base64(username))
            try await expect(235, step: "AUTH LOGIN (password)", send: base64(password))
        } else if mechanisms.isEmpty {
            throw MailDeliveryError(.permanent, .authenticationUnavailable("the server offers no AUTH"))
        } else {
            throw MailDeliveryError(
                .permanent,
                .authenticationUnavailable(
                    "the server offers AUTH \(mechanisms.sorted().joined(separator: " ")), not PLAIN or LOGIN"
                )
            )
        }
        logger.debug("smtp authenticated", metadata: ["smtp_user": "\(username)"])
    }

    /// Sends `line` and throws unless the reply has `code`.
    @discardableResult
    private mutating func expect(_ code: Int, step name: String, send line: String) async throws
        -> SMTPReply
    {
        let reply = try await step(name, send: line)
        guard reply.code == code else { throw MailDeliveryError.smtp(step: name, reply: reply) }
        return reply
    }

    /// Sends `line` (CRLF added) unless nil, then reads one reply, within the step's time.
    private mutating func step(_ name: String, send line: String?) async throws -> SMTPReply {
        try await step(name, sendBytes: line.map { Array(($0 + "\r\n").utf8) })
    }

    private mutating func step(_ name: String, sendBytes bytes: [UInt8]?) async throws -> SMTPReply {
        let (channel, deadline) = (channel, deadline)
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(configuration.timeout)) {
            deadline.expire()
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            if let bytes {
                do {
                    try await outbound.write(ByteBuffer(bytes: bytes))
                } catch {
                    // The connection broke; its inbound side knows why (a failed TLS handshake).
                    _ = try await replies.next()
                    throw error
                }
            }
            guard let reply = try await replies.next() else {
                throw MailDeliveryError(
                    .transient,
                    .connectionFailed("the server closed the connection (waiting for the \(name) reply)"))
            }
            logger.trace("smtp reply", metadata: ["smtp_step": "\(name)", "smtp_code": "\(reply.code)"])
            return reply
        } catch {
            throw Self.deliveryError(error, step: name, deadline: deadline)
        }
    }

    /// `error` as a ``MailDeliveryError``: a timeout when the step's timer fired, a TLS failure for
    /// NIOSSL's errors, a protocol violation for an unparsable reply, a broken connection otherwise.
    static func deliveryError(_ error: any Error, step: String, deadline: SMTPStepDeadline)
        -> MailDeliveryError
    {
        // The timer closes the channel, which ends the wait with whatever error that makes.
        if deadline.hasExpired { return MailDeliveryError(.transient, .timeout(step: step)) }
        if let error = error as? MailDeliveryError { return error }
        switch error {
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return MailDeliveryError(.transient, .tlsFailed("\(error)"))
        case let malformed as SMTPReplyDecoder.Malformed:
            return MailDeliveryError(.transient, .protocolViolation("\(malformed) (during \(step))"))
        default:
            return MailDeliveryError(.transient, .connectionFailed("\(error) (during \(step))"))
        }
    }

    /// The DATA payload: `data` with a dot doubled at the start of each line (RFC 5321 4.5.2),
    /// ending in CRLF, then the `.` line that ends it.
    static func dotStuffed(_ data: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.utf8.count + 64)
        var atLineStart = true
        for byte in data.utf8 {
            if atLineStart, byte == UInt8(ascii: ".") { bytes.append(byte) }
            bytes.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !bytes.suffix(2).elementsEqual([13, 10]) { bytes += [13, 10] }
        bytes += Array(".\r\n".utf8)
        return bytes
    }
}
