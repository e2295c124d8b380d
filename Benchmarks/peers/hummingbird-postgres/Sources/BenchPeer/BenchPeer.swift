import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// `BenchPeer [--host 127.0.0.1] [--port 8091]`, configured like the Trellis server:
/// `DATABASE_URL`, `JWT_SECRET` (and `JWT_KEY_ID`, `JWT_ISSUER`, `JWT_AUDIENCE`).
@main
struct BenchPeer {
    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        var host = "127.0.0.1"
        var port = 8091
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--host": host = arguments.popFirst() ?? host
            case "--port": port = arguments.popFirst().flatMap { Int($0) } ?? port
            default: throw StartupError("unknown argument \(argument); usage: BenchPeer [--host HOST] [--port PORT]")
            }
        }
        var logger = Logger(label: "bench-peer")
        logger.logLevel = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning

        let client = PostgresClient(configuration: try databaseConfiguration(environment["DATABASE_URL"] ?? ""), backgroundLogger: logger)
        let verifier = try await TokenVerifier.fromEnvironment(environment)

        let router = Router(context: PeerContext.self)
        router.add(middleware: ErrorMiddleware())
        router.get("/health") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))
            )
        }
        let api = router.group("/api/v1").add(middleware: AuthMiddleware(verifier: verifier))
        TaskRoutes(client: client).add(to: api)

        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "bench-peer"),
            services: [client],
            logger: logger
        )
        try await application.runService()
    }

    /// `postgres://user[:password]@host[:port]/database`, as the Trellis server reads it. The pool
    /// is Trellis's serving pool: 20 connections opened at start and kept, no keep-alive query
    /// (postgres-nio arms timers per released connection otherwise; see Trellis's
    /// EnvironmentConfiguration.servingDatabase).
    static func databaseConfiguration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let user = components.user, let host = components.host, components.path.count > 1
        else {
            throw StartupError("DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password?.removingPercentEncoding,
            database: String(components.path.dropFirst()), tls: .disable
        )
        configuration.options.maximumConnections = 20
        configuration.options.minimumConnections = 20
        configuration.options.keepAliveBehavior = nil
        return configuration
    }
}
