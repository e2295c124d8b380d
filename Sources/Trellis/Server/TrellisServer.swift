import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// Builds the HTTP application around a generated API.
///
/// Request flow: RequestID -> AccessLog -> errors -> security headers -> routes; `/api/v1` adds
/// authentication. `/health`, `/ready` and `/openapi.json` need no token.
public enum TrellisServer {
    /// The router with every route and middleware, for in-process tests and for ``makeApplication``.
    public static func makeRouter<API: TrellisAPI>(api: API, database: Database, tokens: AccessTokens) -> Router<TrellisRequestContext> {
        let router = Router(context: TrellisRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: ErrorMiddleware(constraints: API.constraints))
        router.add(middleware: SecurityHeadersMiddleware())
        HealthRoutes(database: database, migrationIDs: Set(API.allMigrations.map(\.id))).add(to: router)
        let document = ByteBuffer(string: API.openAPIJSON)
        router.get("/openapi.json") { _, _ in Response.json(document) }
        let group = router.group("/api/v1").add(middleware: AuthenticationMiddleware(tokens: tokens))
        api.addRoutes(to: group, database: database)
        return router
    }

    /// The application: HTTP server plus the PostgreSQL pool as a service, shut down gracefully on
    /// SIGTERM/SIGINT (in-flight requests finish, then the pool closes).
    public static func makeApplication<API: TrellisAPI>(
        api: API, client: PostgresClient, tokens: AccessTokens, host: String, port: Int, logger: Logger
    ) -> some ApplicationProtocol {
        let router = makeRouter(api: api, database: Database(client: client), tokens: tokens)
        var application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "Trellis"),
            logger: logger
        )
        application.addServices(client)
        return application
    }
}
