import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Delivers mail to an SMTP server (a provider's submission port, a relay) over SwiftNIO.
///
/// Each message gets a connection of its own: greeting, EHLO (HELO when EHLO is refused),
/// STARTTLS (``SMTPConfiguration/Security/startTLS``, the default: a server that does not offer
/// it is refused) or TLS from the start (``SMTPConfiguration/Security/implicitTLS``), AUTH PLAIN or
/// AUTH LOGIN (whichever the server lists, PLAIN first) when credentials are configured, MAIL FROM,
/// RCPT TO for each recipient, DATA (dot-stuffed), QUIT. A recipient refused fails the whole message
/// before DATA, so nobody gets it. Each step has ``SMTPConfiguration/timeout``.
///
/// TLS trusts the system's roots plus ``SMTPConfiguration/additionalTrustRootsFile`` and checks the
/// server's name (or IP address) against its certificate.
public struct SMTPTransport: MailTransport {
    /// Where and how it delivers.
    public let configuration: SMTPConfiguration
    private let tlsContext: NIOSSLContext?
    private let eventLoopGroup: any EventLoopGroup

    /// A transport for `configuration`, connecting from `eventLoopGroup`.
    ///
    /// - Throws: ``SMTPConfigurationError`` when the CA file cannot be read or holds no certificate,
    ///   or TLS cannot be set up.
    public init(
        configuration: SMTPConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    )
        throws(SMTPConfigurationError)
    {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        guard configuration.security != .none else {
            self.tlsContext = nil
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.additionalTrustRootsFile {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw SMTPConfigurationError("cannot read CA certificates from \(file): \(error)")
            }
            guard !certificates.isEmpty else {
                throw SMTPConfigurationError("no PEM certificate in \(file)")
            }
            tls.additionalTrustRoots = [.certificates(certificates)]
        }
        do {
            self.tlsContext = try NIOSSLContext(configuration: tls)
        } catch {
            throw SMTPConfigurationError("cannot set up TLS: \(error)")
        }
    }

    /// A transport for the configuration `url` describes (``SMTPConfiguration/init(url:)``).
    public init(
        url: String, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(SMTPConfigurationError) {
        try self.init(configuration: SMTPConfiguration(url: url), eventLoopGroup: eventLoopGroup)
    }

    /// Renders `message` and delivers it over a new connection.
    ///
    /// - Throws: ``MailDeliveryError`` only.
    public func send(_ message: MailMessage, logger: Logger) async throws {
        let mail: RenderedMail
        do {
            mail = try message.rendered()
        } catch {
            throw MailDeliveryError(.permanent, .invalidMessage(error))
        }
        var logger = logger
        logger[metadataKey: "mail_message_id"] = "\(mail.messageID)"
        logger[metadataKey: "smtp_server"] = "\(configuration.host):\(configuration.port)"

        var seen = Set<String>()
        let recipients = message.to.map(\.address).filter { seen.insert($0.lowercased()).inserted }
        let channel = try await connect()
        let deadline = SMTPStepDeadline()
        do {
            try await channel.executeThenClose { inbound, outbound in
                var session = SMTPSession(
                    channel: channel.channel, replies: inbound.makeAsyncIterator(), outbound: outbound,
                    configuration: configuration,
                    tlsContext: tlsContext, serverName: serverName, deadline: deadline, logger: logger
                )
                try await session.deliver(mail, from: message.from.address, to: recipients)
            }
        } catch let error as MailDeliveryError {
            throw error
        } catch {
            throw SMTPSession.deliveryError(error, step: "connection", deadline: deadline)
        }
        logger.info("mail delivered", metadata: ["mail_recipients": "\(recipients.count)"])
    }

    /// The name the server's certificate is checked against and sent as SNI: the host, unless it is
    /// an IP address (then the certificate is checked against the address, and no SNI is sent).
    private var serverName: String? {
        (try? SocketAddress(ipAddress: configuration.host, port: 0)) == nil ? configuration.host : nil
    }

    private func connect() async throws(MailDeliveryError) -> NIOAsyncChannel<SMTPReply, ByteBuffer> {
        let (security, tlsContext, serverName) = (configuration.security, tlsContext, serverName)
        do {
            return try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(configuration.timeout))
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if security == .implicitTLS, let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch ChannelError.connectTimeout {
            throw MailDeliveryError(.transient, .timeout(step: "connect"))
        } catch {
            throw MailDeliveryError(
                .transient, .connectionFailed("\(configuration.host):\(configuration.port): \(error)"))
        }
    }
}

/// Whether the running step's time ran out (the timer closes the channel, which ends the wait).
final class SMTPStepDeadline: @unchecked Sendable {
    private let lock = NSLock()
    private var expired = false

    var hasExpired: Bool { lock.withLock { expired } }
    func expire() { lock.withLock { expired = true } }
}
