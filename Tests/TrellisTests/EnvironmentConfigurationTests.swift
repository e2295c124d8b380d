import PostgresNIO
import Testing

@testable import Trellis

@Suite struct EnvironmentConfigurationTests {
    @Test func missingVariablesAreNamed() {
        let environment = EnvironmentConfiguration([:])
        #expect(throws: ConfigurationError(variable: "DATABASE_URL", problem: "is not set")) { try environment.database() }
        #expect(throws: ConfigurationError(variable: "JWT_SECRET", problem: "is not set")) { try environment.auth() }
    }

    @Test func malformedValuesAreNamed() {
        let short = EnvironmentConfiguration(["JWT_SECRET": "short"])
        #expect(throws: ConfigurationError.self) { try short.auth() }
        do {
            _ = try short.auth()
        } catch {
            #expect(error.variable == "JWT_SECRET")
        }
        let url = EnvironmentConfiguration(["DATABASE_URL": "mysql://x@y/z"])
        do {
            _ = try url.database()
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("configuration error: DATABASE_URL"))
        }
    }

    /// A pool that arms no timer per request: see ``EnvironmentConfiguration/servingDatabase()``.
    @Test func servingPoolKeepsItsConnectionsAndRunsNoKeepAlive() throws {
        let environment = EnvironmentConfiguration(["DATABASE_URL": "postgres://trellis@127.0.0.1:5432/trellis"])
        let serving = try environment.servingDatabase()
        #expect(serving.options.minimumConnections == serving.options.maximumConnections)
        #expect(serving.options.maximumConnections == 20)
        #expect(serving.options.keepAliveBehavior == nil)
        #expect(try environment.database().options.minimumConnections == 0)
    }

    @Test func serverOptionsParseAndNameBadValues() throws {
        let options = try EnvironmentConfiguration([
            "TRUSTED_PROXY_HOPS": "2", "API_KEY_ENVIRONMENT": "live", "APP_URL": "https://app.example.com/",
            "LOGIN_ATTEMPTS_PER_MINUTE": "20", "IDEMPOTENCY_KEY_TTL_HOURS": "48", "AUDIT_RETENTION_DAYS": "365",
        ]).serverOptions()
        #expect(options.idempotencyKeyTTL == .seconds(48 * 3600))
        #expect(options.auditRetention == .seconds(365 * 86400))
        #expect(try EnvironmentConfiguration([:]).serverOptions().idempotencyKeyTTL == .seconds(24 * 3600))
        #expect(options.trustedProxyHops == 2)
        #expect(options.loginAttemptsPerMinute == 20)
        #expect(options.apiKeyEnvironment == .live)
        #expect(options.appURL == "https://app.example.com")
        #expect(try EnvironmentConfiguration([:]).serverOptions().appURL == nil)
        let bad = [
            "TRUSTED_PROXY_HOPS": "many", "API_KEY_ENVIRONMENT": "prod", "APP_URL": "app.example.com", "LOGIN_ATTEMPTS_PER_MINUTE": "0",
            "IDEMPOTENCY_KEY_TTL_HOURS": "0", "AUDIT_RETENTION_DAYS": "forever",
        ]
        for (variable, value) in bad.sorted(by: { $0.key < $1.key }) {
            do {
                _ = try EnvironmentConfiguration([variable: value]).serverOptions()
                Issue.record("\(variable)=\(value) should be refused")
            } catch {
                #expect(error.variable == variable)
            }
        }
    }

    @Test func databaseURLsParse() throws {
        let tcp = try PostgresClient.Configuration(url: "postgres://app:s%40cret@db.internal:6432/main")
        #expect(tcp.host == "db.internal")
        #expect(tcp.port == 6432)
        #expect(tcp.username == "app")
        #expect(tcp.password == "s@cret")
        #expect(tcp.database == "main")
        let socket = try PostgresClient.Configuration(url: "postgres://app@localhost:5433/main?host=/tmp/pg")
        #expect(socket.unixSocketPath == "/tmp/pg/.s.PGSQL.5433")
    }

    @Test func previousKeysAreKeptForVerification() throws {
        let environment = EnvironmentConfiguration([
            "JWT_SECRET": String(repeating: "n", count: 32), "JWT_KEY_ID": "new",
            "JWT_PREVIOUS_KEYS": "old=" + String(repeating: "o", count: 32),
        ])
        let auth = try environment.auth()
        #expect(auth.signingKeys.map(\.id) == ["old", "new"])
        #expect(auth.currentKeyID == "new")
    }
}

extension ConfigurationError: Equatable {
    public static func == (lhs: ConfigurationError, rhs: ConfigurationError) -> Bool {
        lhs.variable == rhs.variable && lhs.problem == rhs.problem
    }
}
