import App
import AppAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
import Trellis

/// One migrated, seeded test database and one running pool for the whole test process.
///
/// The database comes from `DATABASE_URL` (`make test` points it at `trellis_test`). It is reset
/// once per process: schema dropped, every migration applied, demo data loaded, plus the test-only
/// organization below. Tests never mutate Acme's data, so listing it stays deterministic.
actor TestEnvironment {
    static let shared = TestEnvironment()

    static let authConfiguration = AuthConfiguration(
        signingKeys: [.init(id: "test", secret: "test-secret-test-secret-test-secret-0123")]
    )

    /// Where invitation emails link to.
    static let appURL = "https://app.trellis.test"

    /// An organization with no projects, for "a token of another org sees an empty list".
    static let emptyOrganization = UUID(uuidString: "0193a5c8-0000-7000-8000-0f0000000001")!
    static let emptyOrganizationOwner = UUID(uuidString: "0193a5c8-0000-7000-8000-0f0000000002")!

    private var preparation: Task<(client: PostgresClient, tokens: AccessTokens), any Error>?

    let logger: Logger = {
        var logger = Logger(label: "tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The prepared pool and token signer; the first caller prepares, the others wait for it.
    func client() async throws -> (client: PostgresClient, tokens: AccessTokens) {
        if let preparation { return try await preparation.value }
        let task = Task { try await self.prepare() }
        preparation = task
        return try await task.value
    }

    private func prepare() async throws -> (client: PostgresClient, tokens: AccessTokens) {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw TestSetupError("DATABASE_URL is not set; run the tests with `make test`")
        }
        let client = PostgresClient(configuration: try PostgresClient.Configuration(url: url), backgroundLogger: logger)
        // The pool runs for the rest of the process.
        Task.detached { await client.run() }
        try await reset(client)
        return (client, await AccessTokens(configuration: Self.authConfiguration))
    }

    private func reset(_ client: PostgresClient) async throws {
        try await Task.sleep(for: .milliseconds(50))  // let `run()` start before the first lease
        try await client.query("DROP SCHEMA public CASCADE", logger: logger)
        try await client.query("CREATE SCHEMA public", logger: logger)
        _ = try await Migrator(client: client, logger: logger).migrate(App.allMigrations)
        try await DemoData.load(into: Database(client: client), logger: logger)
        try await client.query(
            "INSERT INTO organizations (id, name, slug) VALUES (\(Self.emptyOrganization), 'Initech', 'initech')", logger: logger
        )
        try await client.query(
            "INSERT INTO users (id, email, name) VALUES (\(Self.emptyOrganizationOwner), 'owner@initech.test', 'Initech Owner')",
            logger: logger
        )
        try await client.query(
            "INSERT INTO memberships (org_id, user_id, role) VALUES (\(Self.emptyOrganization), \(Self.emptyOrganizationOwner), 'owner')",
            logger: logger
        )
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The seeded users, by role and organization.
enum Users {
    static func user(_ role: Role, in slug: String) -> DemoData.User {
        DemoData.users.first { $0.role == role && $0.email.hasSuffix("@\(slug).test") }!
    }

    static func principal(_ role: Role, in slug: String) -> Principal {
        let user = user(role, in: slug)
        return Principal(userID: user.id, orgID: user.organization, role: role)
    }
}

/// Runs `body` against the example app (or `api`, the app with other hooks or actions) served on a
/// real socket (`.router` skips the socket). `configure` changes the server's options; `logger`
/// receives the app's log lines.
func withApp(
    _ setup: TestingSetup = .live, api: GeneratedAPI = App.api(), logger: Logger? = nil,
    configure: (inout ServerOptions) -> Void = { _ in },
    _ body: @Sendable (any TestClientProtocol, AccessTokens) async throws -> Void
) async throws {
    try await withApp(setup, serving: api, logger: logger, configure: configure, body)
}

/// ``withApp(_:api:logger:configure:_:)`` around another API than the example app's own.
func withApp<API: TrellisAPI>(
    _ setup: TestingSetup = .live, serving api: API, logger: Logger? = nil,
    configure: (inout ServerOptions) -> Void = { _ in },
    _ body: @Sendable (any TestClientProtocol, AccessTokens) async throws -> Void
) async throws {
    let (client, tokens) = try await TestEnvironment.shared.client()
    // One trusted proxy hop: tests name their client address with X-Forwarded-For, so the per-IP
    // sign-in limit of one test does not spill into another. The API-wide limit is off: suites
    // running at once send thousands of requests a minute as the same seeded users
    // (RateLimitTests turns it on).
    var options = ServerOptions.unlimited
    options.trustedProxyHops = 1
    options.appURL = TestEnvironment.appURL
    configure(&options)
    let router = TrellisServer.makeRouter(api: api, database: Database(client: client), tokens: tokens, options: options)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger ?? TestEnvironment.shared.logger
    )
    try await app.test(setup) { testClient in
        try await body(testClient, tokens)
    }
}

extension TestClientProtocol {
    /// A request as `principal` (or anonymous), with an optional JSON body.
    func request(
        _ method: HTTPRequest.Method, _ uri: String, as principal: Principal? = nil, tokens: AccessTokens, json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let principal { headers[.authorization] = "Bearer \(try await tokens.issue(for: principal))" }
        return try await request(method, uri, bearer: nil, json: json, headers: headers)
    }

    /// A request with a raw bearer token (or none), an optional JSON body and extra headers.
    func request(
        _ method: HTTPRequest.Method, _ uri: String, bearer token: String?, json: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        get throws {
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
            guard let dictionary = object as? [String: Any] else { throw TestSetupError("not a JSON object: \(String(buffer: body))") }
            return dictionary
        }
    }

    var data: [String: Any] {
        get throws { try json["data"] as? [String: Any] ?? [:] }
    }

    var error: [String: Any] {
        get throws { try json["error"] as? [String: Any] ?? [:] }
    }

    var text: String { String(buffer: body) }
}
