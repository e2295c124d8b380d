import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
import TrellisAccountsAPI

@testable import Trellis

/// A server mounts the account endpoints its API lists (``TrellisAPI/accountEndpoints``), at the
/// routes the OpenAPI document is written from; a group left out answers 404.
@Suite struct AccountEndpointsTests {
    /// An app that brings its own sign-in: of the account endpoints, only `GET /me`.
    struct MeOnlyAPI: TrellisAPI {
        static let migrations: [Migration] = []
        static let openAPIJSON = "{}"
        static let constraints = ConstraintCatalog()
        static let accountEndpoints: Set<AccountGroup> = [.me]
        func addRoutes(to group: RouterGroup<TrellisRequestContext>, database: Database) {}
    }

    /// No account endpoint at all.
    struct NoAccountsAPI: TrellisAPI {
        static let migrations: [Migration] = []
        static let openAPIJSON = "{}"
        static let constraints = ConstraintCatalog()
        static let accountEndpoints: Set<AccountGroup> = []
        func addRoutes(to group: RouterGroup<TrellisRequestContext>, database: Database) {}
    }

    /// The default: every group.
    struct EveryGroupAPI: TrellisAPI {
        static let migrations: [Migration] = []
        static let openAPIJSON = "{}"
        static let constraints = ConstraintCatalog()
        func addRoutes(to group: RouterGroup<TrellisRequestContext>, database: Database) {}
    }

    static let configuration = AuthConfiguration(signingKeys: [.init(id: "k1", secret: "account-groups-secret-account-groups")])
    static let organization = UUID(uuidString: "0193a5c8-0000-7000-8000-0e0000000001")!
    static let user = UUID(uuidString: "0193a5c8-0000-7000-8000-0e0000000002")!

    static let logger: Logger = {
        var logger = Logger(label: "trellis.tests.account-endpoints")
        logger.logLevel = .warning
        return logger
    }()

    /// `METHOD /api/v1/...` of every route `router` serves under `/api/v1` (the test APIs add none).
    static func accountRoutes(_ router: Router<TrellisRequestContext>) -> Set<String> {
        Set(router.routes.filter { $0.path.description.hasPrefix("/api/v1/") }.map { "\($0.method) \($0.path)" })
    }

    static func expected(_ groups: Set<AccountGroup>) -> Set<String> {
        Set(AccountRoute.routes(of: groups).map { "\($0.method.http) /api/v1\(RouterPath($0.routerPath))" })
    }

    @Test func mountsExactlyTheRoutesOfTheListedGroups() async throws {
        // The pool never runs: building a router opens no connection.
        let database = Database(client: PostgresClient(configuration: .init(host: "localhost", username: "nobody", password: nil, database: nil, tls: .disable)))
        let tokens = await AccessTokens(configuration: Self.configuration)
        let every = TrellisServer.makeRouter(api: EveryGroupAPI(), database: database, tokens: tokens)
        #expect(Self.accountRoutes(every) == Self.expected(Set(AccountGroup.allCases)))
        #expect(Self.accountRoutes(every).count == AccountRoute.all.count)
        let meOnly = TrellisServer.makeRouter(api: MeOnlyAPI(), database: database, tokens: tokens)
        #expect(Self.accountRoutes(meOnly) == ["GET /api/v1/me"])
        let none = TrellisServer.makeRouter(api: NoAccountsAPI(), database: database, tokens: tokens)
        #expect(Self.accountRoutes(none).isEmpty)
    }

    @Test func aLeftOutGroupAnswers404WhileAKeptOneAnswers() async throws {
        try await TestDatabaseURL.withScratchDatabase("trellis_account_endpoints") { url in
            try await url.withClient { client in
                _ = try await Migrator(client: client, logger: Self.logger).migrate(MeOnlyAPI.allMigrations)
                try await client.query(
                    "INSERT INTO organizations (id, name, slug) VALUES (\(Self.organization), 'Own Sign-In', 'own-sign-in')", logger: Self.logger
                )
                try await client.query(
                    "INSERT INTO users (id, email, name) VALUES (\(Self.user), 'ada@own-sign-in.test', 'Ada')", logger: Self.logger
                )
                try await client.query(
                    "INSERT INTO memberships (org_id, user_id, role) VALUES (\(Self.organization), \(Self.user), 'owner')", logger: Self.logger
                )
                let tokens = await AccessTokens(configuration: Self.configuration)
                // The app's own sign-in issues the token with the runtime's public API.
                let token = try await tokens.issue(for: Principal(userID: Self.user, orgID: Self.organization, role: .owner))
                let router = TrellisServer.makeRouter(api: MeOnlyAPI(), database: Database(client: client), tokens: tokens)
                try await Application(router: router, logger: Self.logger).test(.router) { app in
                    let signup = try await app.executeRequest(
                        uri: "/api/v1/auth/signup", method: .post, headers: [.contentType: "application/json"],
                        body: ByteBuffer(
                            string: #"{"email": "grace@example.com", "password": "correct horse battery staple", "name": "Grace", "organization_name": "Hopper"}"#
                        )
                    )
                    #expect(signup.status == .notFound)
                    #expect(try signup.error["code"] as? String == "not_found")
                    let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
                    for (method, path) in [(HTTPRequest.Method.post, "/api/v1/auth/login"), (.get, "/api/v1/members"), (.get, "/api/v1/api-keys")] {
                        let response = try await app.executeRequest(uri: path, method: method, headers: bearer, body: nil)
                        #expect(response.status == .notFound, "\(method) \(path)")
                    }
                    let me = try await app.executeRequest(uri: "/api/v1/me", method: .get, headers: bearer, body: nil)
                    #expect(me.status == .ok)
                    let body = try JSONSerialization.jsonObject(with: Data(me.body.readableBytesView)) as? [String: Any]
                    let user = (body?["data"] as? [String: Any])?["user"] as? [String: Any]
                    #expect(user?["email"] as? String == "ada@own-sign-in.test")
                }
            }
        }
    }
}
