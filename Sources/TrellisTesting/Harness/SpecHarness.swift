import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Trellis

/// Runs a test target's generated spec tests: one PostgreSQL database for the target, migrated
/// once per process, and for each test two fresh organizations and the app on a real socket.
///
/// The database (`trellis_spec_<test target>`) lives on the server `DATABASE_URL` names and is
/// recreated when the process first needs it, so runs never see each other's rows; it stays after
/// the run, to look into a failure. At most ``concurrentSessions`` tests talk to the app at once.
public final class SpecHarness: Sendable {
    /// Every contract of the target, by resource name: references are followed through them.
    let contracts: [String: ResourceContract]
    let databaseName: String
    let logger: Logger
    private let migrations: [Migration]
    /// The OpenAPI document the app serves, as JSON.
    let openAPIJSON: String
    private let routerFactory: @Sendable (Database, AccessTokens) -> Router<TrellisRequestContext>
    private let preparation = Preparation()

    /// A harness for `app` and the contracts of its specs.
    public init<App: SpecTestApp>(app: App.Type, contracts: [ResourceContract]) {
        self.contracts = Dictionary(contracts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // Named after the test target (the module declaring `AppUnderTest`): targets testing one API
        // run in one process, each on a database of its own.
        let module = String(reflecting: App.self).split(separator: ".").first.map(String.init) ?? "app"
        self.databaseName = "trellis_spec_" + String(module.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(40))
        var logger = Logger(label: "trellis.spec-tests")
        logger.logLevel = .warning
        self.logger = logger
        self.migrations = App.API.allMigrations
        self.openAPIJSON = App.API.openAPIJSON
        let api = App.api()
        let options = App.serverOptions
        self.routerFactory = { database, tokens in
            TrellisServer.makeRouter(api: api, database: database, tokens: tokens, options: options)
        }
    }

    /// Runs `body` with two organizations made for `label` and a client of the app.
    public func session<Result: Sendable>(
        _ label: String, _ body: @Sendable (SpecSession) async throws -> Result
    ) async throws -> Result {
        let prepared = try await preparation.value { try await self.prepare() }
        await sessions.wait()
        do {
            let result = try await run(label, prepared, body)
            await sessions.signal()
            return result
        } catch {
            await sessions.signal()
            throw error
        }
    }

    /// Swift Testing starts every test at once; a few hundred sessions on a 2-core machine would
    /// queue on the pool and time out, so they take turns.
    static let concurrentSessions = 8
    private let sessions = AsyncSemaphore(permits: SpecHarness.concurrentSessions)

    private func run<Result: Sendable>(
        _ label: String, _ prepared: Prepared, _ body: @Sendable (SpecSession) async throws -> Result
    ) async throws -> Result {
        let home = SpecOrganization(label: "\(label)/home")
        let other = SpecOrganization(label: "\(label)/other")
        try await insert(home, name: "Home of \(label)", client: prepared.client)
        try await insert(other, name: "Other of \(label)", client: prepared.client)
        // One running read a resource, whatever the machine's cores: reads sent at once batch.
        let router = routerFactory(Database(client: prepared.client, readBatching: ReadBatching(maxRunning: 1)), prepared.tokens)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        return try await app.test(.live) { client in
            try await body(
                SpecSession(
                    label: label, home: home, other: other, client: SpecClient(
                        client: client, tokens: prepared.tokens,
                        ifMatchRequired: contracts.values.filter(\.requiresIfMatch).map(\.path)
                    ),
                    database: prepared.client, harness: self
                )
            )
        }
    }

    /// Every route the app's router serves, as `GET /api/v1/tasks/{id}`.
    func routes() async throws -> Set<String> {
        let prepared = try await preparation.value { try await self.prepare() }
        let router = routerFactory(Database(client: prepared.client), prepared.tokens)
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
    }

    /// The contract of `resource`.
    func contract(named resource: String) throws -> ResourceContract {
        guard let contract = contracts[resource] else {
            throw SpecSetupError("no spec of this target describes \(resource), which a reference points to")
        }
        return contract
    }

    // MARK: - Set-up

    struct Prepared: Sendable {
        var client: PostgresClient
        var tokens: AccessTokens
    }

    /// Creates the harness's database afresh, starts a pool on it and applies every migration.
    private func prepare() async throws -> Prepared {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw SpecSetupError("DATABASE_URL is not set: the spec tests need a PostgreSQL server; run them with `make test`")
        }
        guard var components = URLComponents(string: url) else {
            throw SpecSetupError("DATABASE_URL is not a URL (postgres://user:password@host:port/database): \(url)")
        }
        let quiet = {
            var logger = self.logger
            logger.logLevel = .error  // a lease may race the pool's run() starting
            return logger
        }()
        let maintenance = try PostgresClient.Configuration(url: url)
        try await PostgresClient.withRunning(maintenance, logger: quiet) { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(self.databaseName) WITH (FORCE)"), logger: quiet)
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(self.databaseName) TEMPLATE template0"), logger: quiet)
        }
        components.path = "/\(databaseName)"
        guard let specURL = components.string else { throw SpecSetupError("cannot point DATABASE_URL at \(databaseName)") }
        var configuration = try PostgresClient.Configuration(url: specURL)
        configuration.options.maximumConnections = 12
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        // The pool serves every test of the process, until it exits.
        Task.detached { await client.run() }
        _ = try await Migrator(client: client, logger: quiet).migrate(migrations)
        let tokens = await AccessTokens(
            configuration: AuthConfiguration(signingKeys: [.init(id: "spec-tests", secret: "trellis-spec-tests-signing-key-0123456789")])
        )
        return Prepared(client: client, tokens: tokens)
    }

    /// Inserts `organization` and its members (idempotent: a retried test finds them there).
    private func insert(_ organization: SpecOrganization, name: String, client: PostgresClient) async throws {
        let created = Self.fixtureTime
        try await client.query(
            """
            INSERT INTO organizations (id, name, slug, created_at, updated_at)
            VALUES (\(organization.id), \(String(name.prefix(200))), \(organization.slug), \(created), \(created))
            ON CONFLICT (id) DO NOTHING
            """,
            logger: logger
        )
        for role in Role.allCases {
            guard let user = organization.members[role] else { continue }
            let email = "\(role.rawValue)@\(organization.slug).spec.test"
            try await client.query(
                """
                INSERT INTO users (id, email, name, email_verified_at, created_at, updated_at)
                VALUES (\(user), \(email), \("\(role.rawValue.capitalized) of \(organization.slug)"), \(created), \(created), \(created))
                ON CONFLICT (id) DO NOTHING
                """,
                logger: logger
            )
            try await client.query(
                """
                INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (\(organization.id), \(user), \(role.rawValue), \(created))
                ON CONFLICT (org_id, user_id) DO NOTHING
                """,
                logger: logger
            )
        }
    }

    /// When every fixture organization, user and key was made.
    static let fixtureTime = Timestamp(microsecondsSinceEpoch: 1_767_225_600_000_000)  // 2026-01-01T00:00:00Z
}

/// Runs the preparation once; every caller waits for the same result.
private actor Preparation {
    private var task: Task<SpecHarness.Prepared, any Error>?

    func value(_ make: @escaping @Sendable () async throws -> SpecHarness.Prepared) async throws -> SpecHarness.Prepared {
        if let task { return try await task.value }
        let task = Task { try await make() }
        self.task = task
        return try await task.value
    }
}

/// Lets `permits` callers through at a time; the others wait in order.
private actor AsyncSemaphore {
    private var permits: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) {
        self.permits = permits
    }

    func wait() async {
        if permits > 0 {
            permits -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func signal() {
        if waiting.isEmpty {
            permits += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
