import Foundation
import PostgresNIO

/// A configuration value that is missing or malformed; the server refuses to start and names it.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var variable: String
    public var problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "configuration error: \(variable) \(problem)" }
}

extension PostgresClient.Configuration {
    /// Parses `postgres://user[:password]@host[:port]/database[?sslmode=disable|require]`;
    /// `?host=/path/to/socket/dir` connects over a Unix socket instead.
    ///
    /// - Parameter variable: the environment variable the URL came from, named in errors.
    public init(url: String, variable: String = "DATABASE_URL") throws(ConfigurationError) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw ConfigurationError(variable: variable, problem: "must look like postgres://user:password@host:5432/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw ConfigurationError(variable: variable, problem: "has no user name (postgres://USER@host/database)")
        }
        let database = String(components.path.dropFirst())
        guard !database.isEmpty else {
            throw ConfigurationError(variable: variable, problem: "has no database name (postgres://user@host/DATABASE)")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let password = components.password?.removingPercentEncoding
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            let port = components.port ?? 5432
            self.init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database
            )
            return
        }
        guard let host = components.host, !host.isEmpty else {
            throw ConfigurationError(variable: variable, problem: "has no host (postgres://user@HOST:5432/database)")
        }
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "disable" {
        case "disable", "allow", "prefer": tls = .disable
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other: throw ConfigurationError(variable: variable, problem: "has an unsupported sslmode '\(other)'")
        }
        self.init(host: host, port: components.port ?? 5432, username: user, password: password, database: database, tls: tls)
    }
}
