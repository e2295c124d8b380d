import Foundation
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
        #expect(serving.options.maximumConnections == EnvironmentConfiguration.defaultPoolSize)
        #expect(serving.options.keepAliveBehavior == nil)
        #expect(serving.options.connectTimeout == .seconds(5))
        #expect(serving.options.additionalStartupParameters.first { $0.0 == "statement_timeout" }?.1 == "15s")
        #expect(try environment.database().options.minimumConnections == 0)
        #expect(try environment.database().options.additionalStartupParameters.isEmpty, "migrations run without a statement timeout")
    }

    @Test func poolAndTimeoutsComeFromTheEnvironment() throws {
        let environment = EnvironmentConfiguration([
            "DATABASE_URL": "postgres://trellis@127.0.0.1:5432/trellis", "DATABASE_POOL_SIZE": "12",
            "DATABASE_LEASE_TIMEOUT_SECONDS": "3", "DATABASE_STATEMENT_TIMEOUT_SECONDS": "0",
        ])
        let serving = try environment.servingDatabase()
        #expect(serving.options.maximumConnections == 12)
        #expect(serving.options.minimumConnections == 12)
        #expect(serving.options.connectTimeout == .seconds(3))
        #expect(serving.options.additionalStartupParameters.first { $0.0 == "statement_timeout" }?.1 == "0s")
        for (variable, value) in ["DATABASE_POOL_SIZE": "0", "DATABASE_LEASE_TIMEOUT_SECONDS": "soon", "DATABASE_STATEMENT_TIMEOUT_SECONDS": "-1"] {
            do {
                _ = try EnvironmentConfiguration(["DATABASE_URL": "postgres://trellis@127.0.0.1/trellis", variable: value]).servingDatabase()
                Issue.record("\(variable)=\(value) should be refused")
            } catch {
                #expect(error.variable == variable)
                #expect(error.description.contains("got '\(value)'"))
            }
        }
    }

    @Test func operationsOptionsParse() throws {
        let options = try EnvironmentConfiguration([
            "TRELLIS_ENV": "development", "RATE_LIMIT_PER_MINUTE": "0", "RATE_LIMIT_ANONYMOUS_PER_MINUTE": "250",
            "CORS_ORIGINS": "https://App.Example.com, http://localhost:5173,https://example.org:443", "METRICS_TOKEN": "0123456789abcdef",
            "SHUTDOWN_DELAY_SECONDS": "5", "SHUTDOWN_GRACE_SECONDS": "20", "LOG_FORMAT": "text",
        ]).serverOptions()
        #expect(options.environment == .development)
        #expect(options.requestLimits == RequestLimits(authenticatedPerMinute: 0, anonymousPerMinute: 250))
        #expect(options.corsOrigins.allowed == ["https://app.example.com", "http://localhost:5173", "https://example.org"])
        #expect(options.metricsToken == "0123456789abcdef")
        #expect(options.shutdown == ShutdownOptions(delay: .seconds(5), grace: .seconds(20)))
        let defaults = try EnvironmentConfiguration([:]).serverOptions()
        #expect(defaults.environment == .production)
        #expect(defaults.requestLimits == RequestLimits(authenticatedPerMinute: 1000, anonymousPerMinute: 100))
        #expect(defaults.corsOrigins == CORSOrigins())
        #expect(defaults.metricsToken == nil)
        #expect(defaults.shutdown == ShutdownOptions(delay: .zero, grace: .seconds(30)))
        #expect(try EnvironmentConfiguration(["TRELLIS_ENV": "development", "CORS_ORIGINS": "*"]).serverOptions().corsOrigins.allowsAny)
        #expect(try EnvironmentConfiguration(["LOG_FORMAT": "text", "LOG_LEVEL": "DEBUG"]).logOptions() == LogOptions(format: .text, level: .debug))
        #expect(try EnvironmentConfiguration([:]).logOptions() == LogOptions(format: .json, level: .info))

        let bad: [(String, [String: String])] = [
            ("CORS_ORIGINS", ["CORS_ORIGINS": "*"]),
            ("CORS_ORIGINS", ["CORS_ORIGINS": "https://app.example.com/path"]),
            ("CORS_ORIGINS", ["CORS_ORIGINS": "app.example.com"]),
            ("TRELLIS_ENV", ["TRELLIS_ENV": "staging"]),
            ("METRICS_TOKEN", ["METRICS_TOKEN": "short"]),
            ("RATE_LIMIT_PER_MINUTE", ["RATE_LIMIT_PER_MINUTE": "-1"]),
            ("SHUTDOWN_GRACE_SECONDS", ["SHUTDOWN_GRACE_SECONDS": "0"]),
        ]
        for (variable, values) in bad {
            do {
                _ = try EnvironmentConfiguration(values).serverOptions()
                Issue.record("\(values) should be refused")
            } catch {
                #expect(error.variable == variable)
            }
        }
        for values in [["LOG_FORMAT": "xml"], ["LOG_LEVEL": "loud"]] {
            #expect(throws: ConfigurationError.self) { try EnvironmentConfiguration(values).logOptions() }
        }
    }

    /// `Server config` prints every variable; secrets and the database password never appear.
    @Test func describedConfigurationMasksSecrets() throws {
        let lines = try EnvironmentConfiguration([
            "DATABASE_URL": "postgres://app:hunter2hunter2@db.internal:5432/main", "JWT_SECRET": String(repeating: "s", count: 40),
            "METRICS_TOKEN": "metrics-token-0123456789", "RATE_LIMIT_PER_MINUTE": "500",
        ]).describe()
        #expect(lines.map(\.name) == ConfigurationVariable.all.map(\.name))
        let text = lines.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
        #expect(!text.contains("hunter2") && !text.contains("ssss") && !text.contains("metrics-token"))
        #expect(text.contains("DATABASE_URL=postgres://app:********@db.internal:5432/main"))
        #expect(text.contains("RATE_LIMIT_PER_MINUTE=500"))
        #expect(lines.first { $0.name == "SHUTDOWN_GRACE_SECONDS" }.map { ($0.value, $0.source) } ?? ("", "") == ("30", "default"))
        #expect(lines.first { $0.name == "DATABASE_POOL_SIZE" }?.value == "\(EnvironmentConfiguration.defaultPoolSize) (2 x processors)")
        do {
            _ = try EnvironmentConfiguration(["DATABASE_URL": "postgres://app@db/main"]).describe()
            Issue.record("a missing JWT_SECRET should be refused")
        } catch {
            #expect(error.variable == "JWT_SECRET")
        }
    }

    /// `.env.example` lists every variable the server reads, with its default.
    @Test func envExampleListsEveryVariable() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
        for variable in ConfigurationVariable.all {
            #expect(text.contains("\(variable.name)="), "\(variable.name) is missing from .env.example")
            if let value = variable.defaultValue, !value.contains(" ") {
                #expect(text.contains("\(variable.name)=\(value)"), "\(variable.name)'s default \(value) is not in .env.example")
            }
        }
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
