import Foundation

/// Where and how ``SMTPTransport`` delivers: the server, its TLS, the credentials, the time allowed.
public struct SMTPConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP upgraded with STARTTLS before anything else is said (the submission port, 587).
        /// A server that does not offer STARTTLS is refused. The default.
        case startTLS = "starttls"
        /// TLS from the first byte (SMTPS, port 465).
        case implicitTLS = "tls"
        /// No TLS at all: credentials and messages travel in clear. Only for local development
        /// and tests (a mail catcher on localhost); never choose it for a real server.
        case none
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// How the connection is protected.
    public var security: Security
    /// The user name for AUTH, if the server wants one.
    public var username: String?
    /// The password for AUTH (never logged nor shown by ``description``).
    public var password: String?
    /// How long each step (connecting, the TLS handshake, each command's reply) may take.
    public var timeout: Duration
    /// The name this client gives in EHLO/HELO.
    public var clientName: String
    /// A PEM file of CA certificates trusted besides the system's roots (a private CA, or a test
    /// server's self-signed certificate).
    public var additionalTrustRootsFile: String?

    /// A configuration; `port` defaults to 587 for ``Security/startTLS``, 465 for
    /// ``Security/implicitTLS`` and 25 for ``Security/none``.
    public init(
        host: String, port: Int? = nil, security: Security = .startTLS, username: String? = nil,
        password: String? = nil,
        timeout: Duration = .seconds(30), clientName: String = "localhost",
        additionalTrustRootsFile: String? = nil
    ) {
        self.host = host
        self.port = port ?? Self.defaultPort(for: security)
        self.security = security
        self.username = username
        self.password = password
        self.timeout = timeout
        self.clientName = clientName
        self.additionalTrustRootsFile = additionalTrustRootsFile
    }

    /// A configuration from a URL: `smtp://user:password@host:587` (STARTTLS) or
    /// `smtps://user:password@host:465` (implicit TLS). The user name and password are
    /// percent-decoded (write `@` as `%40`, `:` as `%3A`). Query parameters:
    /// `security=starttls|tls|none` (overrides the scheme's), `timeout=SECONDS` (each step),
    /// `ca_file=PATH` (``additionalTrustRootsFile``), `client_name=NAME` (``clientName``).
    ///
    /// - Throws: ``SMTPConfigurationError`` naming what is wrong (never repeating the password).
    public init(url: String) throws(SMTPConfigurationError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased()
        else {
            throw SMTPConfigurationError(
                "not a URL; expected smtp://user:password@host:587 or smtps://user:password@host:465")
        }
        var security: Security
        switch scheme {
        case "smtp": security = .startTLS
        case "smtps": security = .implicitTLS
        default: throw SMTPConfigurationError("scheme '\(scheme)' is not smtp or smtps")
        }
        guard let host = components.host, !host.isEmpty else {
            throw SMTPConfigurationError("the URL has no host")
        }
        var timeout = Duration.seconds(30)
        var caFile: String?
        var clientName = "localhost"
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "security":
                guard let chosen = Security(rawValue: value.lowercased()) else {
                    throw SMTPConfigurationError("security=\(value) is not one of starttls, tls, none")
                }
                security = chosen
            case "timeout":
                guard let seconds = Double(value), seconds > 0, seconds.isFinite else {
                    throw SMTPConfigurationError("timeout=\(value) is not a positive number of seconds")
                }
                timeout = .milliseconds(Int64(seconds * 1000))
            case "ca_file":
                guard !value.isEmpty else { throw SMTPConfigurationError("ca_file is empty") }
                caFile = value
            case "client_name":
                guard !value.isEmpty, value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                    throw SMTPConfigurationError("client_name=\(value) is not a host name")
                }
                clientName = value
            default:
                throw SMTPConfigurationError(
                    "unknown parameter '\(item.name)' (known: security, timeout, ca_file, client_name)")
            }
        }
        let username = components.percentEncodedUser.map { $0.removingPercentEncoding ?? $0 }
        let password = components.percentEncodedPassword.map { $0.removingPercentEncoding ?? $0 }
        if let username, username.isEmpty, password != nil {
            throw SMTPConfigurationError("the URL has a password but no user name")
        }
        if username != nil, !(username?.isEmpty ?? true), password == nil {
            throw SMTPConfigurationError(
                "the URL has a user name but no password (write user:password@host)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw SMTPConfigurationError("port \(port) is out of range")
        }
        self.init(
            host: host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host,
            port: components.port,
            security: security, username: (username?.isEmpty ?? true) ? nil : username,
            password: password, timeout: timeout,
            clientName: clientName, additionalTrustRootsFile: caFile
        )
    }

    /// The port a security usually comes with.
    public static func defaultPort(for security: Security) -> Int {
        switch security {
        case .startTLS: 587
        case .implicitTLS: 465
        case .none: 25
        }
    }

    /// The configuration with the password hidden: `smtp://user:***@host:587 (starttls)`.
    public var description: String {
        let credentials = username.map { "\($0):***@" } ?? ""
        return
            "smtp://\(credentials)\(host):\(port) (security: \(security.rawValue), timeout: \(timeout))"
    }
}

/// What is wrong with an SMTP configuration (a URL that does not parse, an unknown parameter, a
/// CA file that cannot be read).
public struct SMTPConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) {
        self.description = "invalid SMTP configuration: " + description
    }
}
