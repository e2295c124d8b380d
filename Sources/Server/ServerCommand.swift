import App
import ArgumentParser
import Logging
import PostgresNIO
import Trellis

@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Server",
        abstract: "The example Trellis app: serve the API, migrate the database, load demo data, mint tokens.",
        subcommands: [Serve.self, Worker.self, Migrate.self, Seed.self, Token.self, PlatformAdmin.self, Config.self]
    )
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: LOG_LEVEL, else info).")
    var logLevel: Logger.Level?

    /// Sets up logging (`LOG_FORMAT`, `LOG_LEVEL`, `--log-level`) and returns a logger. A server
    /// logs to standard output; other commands to standard error, so their output stays theirs.
    func logger(_ label: String, to stream: LogOptions.Stream = .standardError) throws -> Logger {
        var options = try EnvironmentConfiguration().logOptions()
        if let logLevel { options.level = logLevel }
        options.bootstrap(to: stream, metadataProvider: TrellisTracing.loggingMetadataProvider)
        return Logger(label: label)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API (refuses to start while migrations are pending).")

    @OptionGroup var common: CommonOptions
    @Option(help: "The address to listen on.") var host = "0.0.0.0"
    @Option(help: "The port to listen on.") var port = 8080

    func run() async throws {
        let logger = try common.logger("trellis", to: .standardOutput)
        let environment = EnvironmentConfiguration()
        let exporter = try TrellisTracing.bootstrap(environment: environment)
        let database = try environment.servingDatabase()
        var options = try environment.serverOptions()
        options.databasePoolSize = database.options.maximumConnections
        options.databaseEndpoint = database.host.map { DatabaseEndpoint(host: $0, port: database.port ?? 5432) }
        let tokens = await AccessTokens(configuration: try environment.auth())
        let api = App.api()
        let pending = try await PostgresClient.withRunning(try environment.database(), logger: logger) { client in
            try await Migrator(client: client, logger: logger).pending(type(of: api).allMigrations)
        }
        guard pending.isEmpty else {
            throw ValidationError("the database is behind: \(pending.count) migration(s) pending; run `Server migrate` first")
        }
        let jobOptions = try environment.jobOptions()
        if jobOptions.runsInServe && database.options.maximumConnections < 2 {
            throw ConfigurationError(
                variable: "DATABASE_POOL_SIZE", problem: "must be at least 2 when the server runs jobs: one connection listens for new jobs (or set SERVE_RUNS_JOBS=false)"
            )
        }
        let client = PostgresClient(configuration: database, backgroundLogger: logger)
        try await TrellisServer.run(
            api: api, client: client, tokens: tokens, options: options, jobs: App.jobs, webhooks: App.webhooks(), jobOptions: jobOptions,
            host: host, port: port, logger: logger, services: exporter.map { [$0] } ?? []
        )
    }
}

/// `Server worker`: runs jobs without serving HTTP, for deployments that keep them apart
/// (`SERVE_RUNS_JOBS=false` on the servers).
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run background jobs only (the queues of JOB_CONCURRENCY); refuses to start while migrations are pending."
    )

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = try common.logger("trellis.worker", to: .standardOutput)
        let environment = EnvironmentConfiguration()
        let exporter = try TrellisTracing.bootstrap(environment: environment)
        let database = try environment.servingDatabase()
        let options = try environment.serverOptions()
        let jobOptions = try environment.jobOptions()
        guard database.options.maximumConnections >= 2 else {
            throw ConfigurationError(variable: "DATABASE_POOL_SIZE", problem: "must be at least 2 for a worker: one connection listens for new jobs")
        }
        let pending = try await PostgresClient.withRunning(try environment.database(), logger: logger) { client in
            try await Migrator(client: client, logger: logger).pending(type(of: App.api()).allMigrations)
        }
        guard pending.isEmpty else {
            throw ValidationError("the database is behind: \(pending.count) migration(s) pending; run `Server migrate` first")
        }
        try await TrellisServer.runWorker(
            client: PostgresClient(configuration: database, backgroundLogger: logger), options: options, jobs: App.jobs,
            webhooks: App.webhooks(), jobOptions: jobOptions, logger: logger, services: exporter.map { [$0] } ?? []
        )
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the deterministic demo data (idempotent).")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = try common.logger("trellis.seed")
        try await PostgresClient.withRunning(try EnvironmentConfiguration().database(), logger: logger) { client in
            try await DemoData.load(into: Database(client: client), logger: logger)
        }
        print(
            "seeded \(DemoData.organizations.count) organizations, \(DemoData.users.count) users, \(DemoData.projectCount) projects, "
                + "\(DemoData.taskCount) tasks"
        )
    }
}

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print an access token for a seeded user (until sign-in lands).")

    @OptionGroup var common: CommonOptions
    @Option(help: "The user's email, e.g. owner@acme.test.") var email: String

    func run() async throws {
        let logger = try common.logger("trellis.token")
        let environment = EnvironmentConfiguration()
        let tokens = await AccessTokens(configuration: try environment.auth())
        let principal = try await PostgresClient.withRunning(try environment.database(), logger: logger) { client in
            try await Principal.lookUp(email: email, client: client, logger: logger)
        }
        guard let principal else {
            throw ValidationError("no member with the email \(email); run `Server seed` or pick one from the README")
        }
        print(try await tokens.issue(for: principal))
    }
}

/// `Server platform-admin grant|revoke --email ...`: who may write the rows every organization
/// shares (`tenancy: none` resources).
struct PlatformAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform-admin",
        abstract: "Grant or revoke the right to write the resources every organization shares (tenancy: none).",
        subcommands: [Grant.self, Revoke.self]
    )

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a user a platform administrator.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The user's email.") var email: String

        func run() async throws { try await PlatformAdmin.set(true, email: email, common: common) }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a user being a platform administrator.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The user's email.") var email: String

        func run() async throws { try await PlatformAdmin.set(false, email: email, common: common) }
    }

    static func set(_ flag: Bool, email: String, common: CommonOptions) async throws {
        let logger = try common.logger("trellis.platform-admin")
        let found = try await PostgresClient.withRunning(try EnvironmentConfiguration().database(), logger: logger) { client in
            try await PlatformAdmins.set(flag, email: email, on: Database(client: client), logger: logger)
        }
        guard found else { throw ValidationError("no user with the email \(email)") }
        print("\(email) is \(flag ? "now" : "no longer") a platform administrator; it takes effect when their session next refreshes")
    }
}

/// `Server config`: validates the configuration and prints every variable's effective value, secrets masked.
struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the effective configuration (secrets masked); fails naming the first invalid variable."
    )

    func run() async throws {
        let lines = try EnvironmentConfiguration().describe()
        let width = lines.map(\.name.count).max() ?? 0
        for line in lines {
            print(line.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + line.value + (line.source == "default" ? "  (default)" : ""))
        }
    }
}
