import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import Trellis

/// The API-wide rate limit: the 101st anonymous request of a minute is refused with 429,
/// `Retry-After` and the rate-limit headers, every answer carries the headers, and two instances
/// on one database enforce one limit between them.
///
/// The counters run on a fixed clock in 2100 (windows the sweeper never deletes) and each test
/// first deletes its own keys, so runs do not see each other's counts.
@Suite struct RateLimitTests {
    /// 2100-01-01T00:00:10Z: 50 seconds left in the window.
    static let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: 4_102_444_810) }

    /// A router with the API limit on (`limits`) and a counter of its own, as one instance has.
    static func instance(limits: RequestLimits) async throws -> (Router<TrellisRequestContext>, AccessTokens) {
        let (client, tokens) = try await TestEnvironment.shared.client()
        var options = ServerOptions(trustedProxyHops: 1, requestLimits: limits)
        options.appURL = TestEnvironment.appURL
        let counter = SharedRateCounter(client: client, logger: TestEnvironment.shared.logger, clock: clock)
        let router = TrellisServer.makeRouter(api: App.api(), database: Database(client: client), tokens: tokens, options: options, rateCounter: counter)
        return (router, tokens)
    }

    static func forget(keys pattern: String) async throws {
        let (client, _) = try await TestEnvironment.shared.client()
        try await client.query("DELETE FROM rate_limit_windows WHERE key LIKE \(pattern)", logger: TestEnvironment.shared.logger)
    }

    @Test func the101stAnonymousRequestOfAMinuteIsRefused() async throws {
        try await Self.forget(keys: "api:ip:198.51.100.1")
        let (router, tokens) = try await Self.instance(limits: RequestLimits())
        try await Application(router: router).test(.router) { client in
            let address: HTTPFields = [.xForwardedFor: "198.51.100.1"]
            for index in 1...100 {
                let response = try await client.request(.get, "/api/v1/projects", tokens: tokens, headers: address)
                #expect(response.status == .unauthorized, "request \(index) is counted, not refused")
                #expect(response.headers[.init("RateLimit-Limit")!] == "100")
                #expect(response.headers[.init("RateLimit-Remaining")!] == String(100 - index))
                #expect(response.headers[.init("RateLimit-Reset")!] == "50")
                #expect(response.headers[.init("X-RateLimit-Reset")!] == "4102444860")
            }
            let refused = try await client.request(.get, "/api/v1/projects", tokens: tokens, headers: address)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "50")
            #expect(refused.headers[.init("RateLimit-Remaining")!] == "0")
            #expect(refused.headers[.init("X-RateLimit-Limit")!] == "100")
            #expect(refused.headers[.init("X-RateLimit-Remaining")!] == "0")
            #expect(try refused.error["code"] as? String == "rate_limited")

            // Another address has its own count; outside /api/v1 nothing is limited.
            let other = try await client.request(.get, "/api/v1/projects", tokens: tokens, headers: [.xForwardedFor: "198.51.100.2"])
            #expect(other.status == .unauthorized)
            #expect(try await client.request(.get, "/health", tokens: tokens, headers: address).status == .ok)
        }
    }

    @Test func aUserHasTheirOwnLimitWhateverTheirAddress() async throws {
        let viewer = Users.principal(.viewer, in: "acme")
        try await Self.forget(keys: "api:user:\(viewer.userID.uuidString)")
        let (router, tokens) = try await Self.instance(limits: RequestLimits(authenticatedPerMinute: 30, anonymousPerMinute: 1))
        try await Application(router: router).test(.router) { client in
            for index in 1...30 {
                let response = try await client.request(
                    .get, "/api/v1/projects?limit=1", as: viewer, tokens: tokens, headers: [.xForwardedFor: "198.51.100.\(10 + index)"]
                )
                #expect(response.status == .ok)
                #expect(response.headers[.init("RateLimit-Limit")!] == "30")
            }
            let refused = try await client.request(.get, "/api/v1/projects?limit=1", as: viewer, tokens: tokens)
            #expect(refused.status == .tooManyRequests)
            let owner = Users.principal(.owner, in: "acme")
            try await Self.forget(keys: "api:user:\(owner.userID.uuidString)")
            #expect(try await client.request(.get, "/api/v1/projects?limit=1", as: owner, tokens: tokens).status == .ok)
        }
    }

    /// A made-up token is no way around the anonymous limit: its 401s count against the address
    /// and carry the headers, and once the address is over, it gets 429 like any anonymous request.
    @Test func aRefusedTokenCountsAgainstItsAddress() async throws {
        try await Self.forget(keys: "api:ip:198.51.100.77")
        let (router, tokens) = try await Self.instance(limits: RequestLimits(authenticatedPerMinute: 1000, anonymousPerMinute: 3))
        try await Application(router: router).test(.router) { client in
            let headers: HTTPFields = [.xForwardedFor: "198.51.100.77", .authorization: "Bearer not-a-token"]
            for remaining in ["2", "1", "0"] {
                let refused = try await client.request(.get, "/api/v1/projects", tokens: tokens, headers: headers)
                #expect(refused.status == .unauthorized)
                #expect(refused.headers[.init("RateLimit-Remaining")!] == remaining)
            }
            let limited = try await client.request(.get, "/api/v1/projects", tokens: tokens, headers: headers)
            #expect(limited.status == .tooManyRequests)
        }
    }

    /// Parallel requests of one user take one block of the shared count between them, not one each:
    /// the rest of the minute stays available to the other instances.
    @Test func aBurstOfParallelRequestsTakesOneBlock() async throws {
        let member = Users.principal(.member, in: "globex")
        let key = "api:user:\(member.userID.uuidString)"
        try await Self.forget(keys: key)
        let (router, tokens) = try await Self.instance(limits: RequestLimits(authenticatedPerMinute: 1000, anonymousPerMinute: 100))
        let token = try await tokens.issue(for: member)
        try await Application(router: router).test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.request(.get, "/api/v1/projects?limit=1", bearer: token).status }
                }
                for try await status in group { #expect(status == .ok) }
            }
        }
        let (client, _) = try await TestEnvironment.shared.client()
        var shared = 0
        for try await hits in try await client.query("SELECT hits FROM rate_limit_windows WHERE key = \(key)", logger: TestEnvironment.shared.logger)
            .decode(Int32.self) { shared += Int(hits) }
        // One block of 50 and single hits for the requests that came while it was being taken.
        #expect(shared >= 20 && shared <= 50 + 19, "taken from the shared count: \(shared)")
    }

    /// Two instances with counters of their own, taking turns: 100 of 150 requests get through,
    /// not 100 on each.
    @Test func twoInstancesShareOneLimit() async throws {
        try await Self.forget(keys: "api:ip:198.51.100.200")
        let (first, tokens) = try await Self.instance(limits: RequestLimits())
        let (second, _) = try await Self.instance(limits: RequestLimits())
        let secondApplication = Application(router: second)
        try await Application(router: first).test(.router) { one in
            try await secondApplication.test(.router) { two in
                var allowed = [0, 0]
                for index in 0..<150 {
                    let response = try await (index % 2 == 0 ? one : two).request(
                        .get, "/api/v1/projects", tokens: tokens, headers: [.xForwardedFor: "198.51.100.200"]
                    )
                    if response.status != .tooManyRequests { allowed[index % 2] += 1 }
                }
                #expect(allowed[0] + allowed[1] == 100, "allowed \(allowed)")
                #expect(allowed[0] >= 45 && allowed[1] >= 45, "both instances served: \(allowed)")
            }
        }
    }
}
