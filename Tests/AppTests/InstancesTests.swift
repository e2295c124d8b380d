import App
import Foundation
import PostgresNIO
import TestPeers
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Several instances, as README's Deploying section runs them: two `Server serve` processes on one
/// database behind Caddy with the committed `deploy/Caddyfile` (Debian's caddy, which `make setup`
/// installs). Two `Server migrate` started together apply each migration once; requests spread over
/// both instances; the API rate limit is one limit, not one per instance; and an instance stopped
/// with SIGTERM under a stream of writes exits 0 and loses none of the writes it answered 2xx.
@Suite struct InstancesTests {
    static let secret = "instances-test-secret-instances-test-0123"
    static let caddy = URL(fileURLWithPath: "/usr/bin/caddy")
    /// The repository root: this file is `Tests/AppTests/InstancesTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let caddyfile = root.appendingPathComponent("deploy/Caddyfile")
    static let anonymousLimit = 100

    /// The instances' environment: deploy/trellis.env.example's, with a short grace period and an
    /// authenticated limit the stream of writes stays under. SHUTDOWN_DELAY_SECONDS stays above the
    /// Caddyfile's health_interval + health_timeout (2 s + 2 s), so Caddy has stopped sending
    /// requests to a stopping instance before its listener closes.
    static let serveEnvironment = [
        "JWT_SECRET": secret,
        "TRUSTED_PROXY_HOPS": "1",
        "LOG_FORMAT": "json",
        "SHUTDOWN_DELAY_SECONDS": "5",
        "SHUTDOWN_GRACE_SECONDS": "10",
        "RATE_LIMIT_ANONYMOUS_PER_MINUTE": String(anonymousLimit),
        "RATE_LIMIT_PER_MINUTE": "100000",
    ]

    @Test(.timeLimit(.minutes(3)))
    func twoInstancesBehindCaddyShareTheLoadTheLimitAndTheDatabase() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.caddy.path),
            "no Caddy at \(Self.caddy.path): run `make setup` (scripts/setup.sh installs Debian's caddy)"
        )
        try await ScratchDatabase.with("trellis_instances") { database in
            try await Self.migrateTwiceAtOnce(database)
            let seed = try await ServerProcess.launch(["seed"], databaseURL: database.url).finish()
            try #require(seed.status == 0, "Server seed: \(seed.stderr)")

            var ports: [Int] = []
            while ports.count < 3 {
                let port = try FreePort.find()
                if !ports.contains(port) { ports.append(port) }
            }
            let (portA, portB, proxyPort) = (ports[0], ports[1], ports[2])
            let a = try ServerProcess.launch(
                ["serve", "--host", "127.0.0.1", "--port", String(portA)], databaseURL: database.url, environment: Self.serveEnvironment
            )
            let b = try ServerProcess.launch(
                ["serve", "--host", "127.0.0.1", "--port", String(portB)], databaseURL: database.url, environment: Self.serveEnvironment
            )
            // Caddy keeps its state (an autosaved config) in a folder of the test's own.
            let caddyHome = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-caddy-\(getpid())")
            try FileManager.default.createDirectory(at: caddyHome, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: caddyHome) }
            let proxy = try ChildProcess.launch(
                Self.caddy, ["run", "--config", Self.caddyfile.path, "--adapter", "caddyfile"],
                environment: [
                    "TRELLIS_SITE": "http://127.0.0.1:\(proxyPort)",
                    "TRELLIS_BIND": "127.0.0.1",
                    "TRELLIS_UPSTREAMS": "127.0.0.1:\(portA) 127.0.0.1:\(portB)",
                    "CADDY_ADMIN": "off",
                    "XDG_CONFIG_HOME": caddyHome.path,
                    "XDG_DATA_HOME": caddyHome.path,
                ],
                timeout: ServerProcess.timeout
            )
            let base = "http://127.0.0.1:\(proxyPort)"

            var stoppedA: ChildProcess.Run?
            var burst = (source: "", replies: [BoundHTTP.Reply]())
            var load = CreateLoad.Report(outcomes: [], startedBeforeExit: 0)
            do {
                try await ServeTests.waitUntilHealthy("http://127.0.0.1:\(portA)")
                try await ServeTests.waitUntilHealthy("http://127.0.0.1:\(portB)")
                try await ServeTests.waitUntilHealthy(base)

                // a. Spread: signed-in reads through the proxy.
                let owner = Users.user(.owner, in: "acme").email
                let login = try await ServeTests.send(
                    "POST", base + "/api/v1/auth/login", json: #"{"email": "\#(owner)", "password": "\#(DemoData.password)"}"#
                )
                try #require(login.status == 200, "sign-in through the proxy: \(login.status) \(String(decoding: login.body, as: UTF8.self))")
                let token = try #require((login.json["data"] as? [String: Any])?["access_token"] as? String)
                for _ in 0..<Self.spreadRequests {
                    let reply = try await ServeTests.send("GET", base + "/api/v1/projects?limit=1", bearer: token)
                    try #require(reply.status == 200, "GET /api/v1/projects through the proxy: \(reply.status)")
                }

                // b. One rate limit: 150 anonymous requests from one client address.
                burst = try await Self.anonymousBurst(proxyPort: proxyPort)

                // c. Writes while instance A stops.
                load = await CreateLoad.run(base: base, token: token, stopping: a)
                stoppedA = load.stopped
            } catch {
                a.terminate()
                b.terminate()
                proxy.terminate()
                let runA: ChildProcess.Run
                if let stoppedA { runA = stoppedA } else { runA = await a.finish() }
                let runs = [("A", runA), ("B", await b.finish()), ("caddy", await proxy.finish())]
                let outputs = runs.map { "--- \($0.0) (status \($0.1.status)):\n\($0.1.stderr.suffix(2000))\($0.1.stdout.suffix(2000))" }
                throw TestSetupError("\(error)\n" + outputs.joined(separator: "\n"))
            }
            b.terminate()
            proxy.terminate()
            let runB = await b.finish()
            _ = await proxy.finish()
            let runA = try #require(stoppedA)

            Self.checkSpread(a: runA, b: runB)
            Self.checkSharedLimit(burst, a: runA, b: runB)
            try await Self.checkNoAnsweredWriteLost(load, a: runA, b: runB, database: database)
            for (name, run) in [("A", runA), ("B", runB)] {
                #expect(run.status == 0 && !run.timedOut, "instance \(name) exits 0 after SIGTERM: \(run.stderr.suffix(3000))")
                #expect(!run.stderr.contains("Fatal error"), "instance \(name): \(run.stderr.suffix(3000))")
            }
        }
    }

    // MARK: - migrations

    /// Two `Server migrate` at once, as two instances' ExecStartPre run it: each migration applied
    /// by exactly one of them, under the advisory lock (ConcurrentMigrateTests checks three).
    static func migrateTwiceAtOnce(_ database: ScratchDatabase) async throws {
        let ids = App.allMigrations.map(\.id)
        let processes = try (0..<2).map { _ in try ServerProcess.launch(["migrate"], databaseURL: database.url) }
        var runs: [ChildProcess.Run] = []
        for process in processes { runs.append(await process.finish()) }
        for run in runs { try #require(run.status == 0, "Server migrate: \(run.stderr)") }
        let applied = runs.flatMap { $0.stdout.split(separator: "\n") }.filter { $0.hasPrefix("applied ") }
            .map { String($0.dropFirst("applied ".count)) }
        #expect(applied.sorted() == ids.sorted(), "each migration applied by one of the two processes, once")
        let rows = try await database.appliedMigrations()
        #expect(rows.map(\.id) == ids.sorted(), "schema_migrations holds each migration once")
    }

    // MARK: - a. spread

    static let spreadRequests = 60

    /// Each instance logged at least a quarter of the signed-in reads (Caddy's least_conn picks at
    /// random between two idle instances, so fewer than 15 of 60 happens about once in 20,000 runs).
    static func checkSpread(a: ChildProcess.Run, b: ChildProcess.Run) {
        let served = [a, b].map { countLines(accessLog($0), method: "GET", route: "/api/v1/projects", status: 200) }
        #expect(served[0] + served[1] == spreadRequests, "every read logged once by the instance that served it: \(served)")
        #expect(served.allSatisfy { $0 * 4 >= spreadRequests }, "both instances served at least 25% of \(spreadRequests) reads: \(served)")
    }

    // MARK: - b. shared rate limit

    static let burstSize = 150

    /// `burstSize` anonymous `GET /api/v1/projects` (401, counted against the client's address)
    /// from an address of this test's own (`127.0.0.x`, so no other request of the test, nor
    /// Caddy's health checks, count against it), all inside one minute window.
    static func anonymousBurst(proxyPort: Int) async throws -> (source: String, replies: [BoundHTTP.Reply]) {
        // Windows are the minutes of the instances' clock, this machine's: leave the burst (about
        // a second) 15 s or more before the minute ends.
        let second = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
        if second > 45 { try await Task.sleep(for: .milliseconds(Int((60.5 - second) * 1000))) }
        let source = "127.0.0.\(Int.random(in: 2...254))"
        var replies: [BoundHTTP.Reply] = []
        for _ in 0..<burstSize {
            replies.append(try await BoundHTTP.get("/api/v1/projects", port: proxyPort, from: source))
        }
        return (source, replies)
    }

    /// One limit across the instances: of the burst, never more than the limit answered (each
    /// instance alone would let 100 through), at most a few fewer (hits one instance took from the
    /// shared count in a block and had not handed out when the burst ended: `SharedRateCounter`),
    /// every other one refused with 429 and `Retry-After`; and both instances refused some, so each
    /// counted the hits the other served.
    static func checkSharedLimit(_ sent: (source: String, replies: [BoundHTTP.Reply]), a: ChildProcess.Run, b: ChildProcess.Run) {
        let burst = sent.replies
        let windows = Set(burst.compactMap { $0.headers["x-ratelimit-reset"] })
        #expect(windows.count == 1, "the burst stayed inside one minute window (X-RateLimit-Reset): \(windows.sorted())")
        let allowed = burst.filter { $0.status != 429 }
        let refused = burst.filter { $0.status == 429 }
        #expect(
            (anonymousLimit - 10...anonymousLimit).contains(allowed.count),
            """
            \(allowed.count) of \(burst.count) requests from one address got past the limit of \(anonymousLimit) a minute \
            (each instance alone would let \(anonymousLimit) through; fewer means something else counted against the address)
            """
        )
        #expect(allowed.allSatisfy { $0.status == 401 }, "without a token: 401, \(Set(allowed.map(\.status)))")
        let withoutRetryAfter = refused.filter { reply in
            guard let seconds = reply.headers["retry-after"].flatMap({ Int($0) }) else { return true }
            return !(1...60).contains(seconds)
        }
        #expect(withoutRetryAfter.isEmpty, "every 429 carries Retry-After (1-60 s): \(withoutRetryAfter.first?.headers ?? [:])")
        #expect(refused.allSatisfy { $0.body.contains(#""rate_limited""#) }, "429 body: \(refused.first?.body ?? "")")
        let names = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]
        let incomplete = burst.filter { reply in names.contains { reply.headers[$0] == nil } }
        #expect(incomplete.isEmpty, "every answer carries \(names): \(incomplete.first?.headers ?? [:])")
        #expect(burst.allSatisfy { $0.headers["ratelimit-limit"] == String(anonymousLimit) })

        let refusedBy = [a, b].map { countLines(accessLog($0), method: "GET", route: "/api/v1/projects", status: 429) }
        let answeredBy = [a, b].map { countLines(accessLog($0), method: "GET", route: "/api/v1/projects", status: 401) }
        #expect(refusedBy[0] + refusedBy[1] == refused.count, "429s in the instances' logs: \(refusedBy), answers: \(refused.count)")
        #expect(refusedBy.allSatisfy { $0 > 0 }, "both instances refused requests over the shared limit: \(refusedBy)")
        #expect(answeredBy.allSatisfy { $0 > 0 }, "both instances let requests through: \(answeredBy)")
        // The address the limit counted: the client's, from the X-Forwarded-For Caddy set, not Caddy's own.
        let addresses = Set(
            [a, b].flatMap { accessLog($0) }
                .filter { line in line["method"] as? String == "GET" && [401, 429].contains(line["status"] as? Int ?? 0) }
                .compactMap { $0["client_ip"] as? String }
        )
        #expect(addresses.isEmpty || addresses == [sent.source], "client_ip of the burst: \(addresses), sent from \(sent.source)")
    }

    // MARK: - c. SIGTERM under writes

    /// Every create answered 2xx is in the database and nothing else is: no write answered and
    /// lost, none half done. With the shutdown delay above Caddy's health check, no request fails
    /// at all; a failure can only be Caddy's 502 (the connection to the instance failed) or 503
    /// (no instance ready), never the server's own 500.
    static func checkNoAnsweredWriteLost(
        _ load: CreateLoad.Report, a: ChildProcess.Run, b: ChildProcess.Run, database: ScratchDatabase
    ) async throws {
        let created = load.outcomes.filter { (200..<300).contains($0.status) }
        let failed = load.outcomes.filter { !(200..<300).contains($0.status) }
        print(
            "InstancesTests: \(load.outcomes.count) creates, \(load.startedBeforeExit) sent before instance A exited; "
                + "\(created.count) answered 2xx, \(failed.count) failed \(Dictionary(grouping: failed, by: \.status).mapValues(\.count))"
        )
        #expect(load.outcomes.count > load.startedBeforeExit, "writes went on after instance A exited")
        #expect(created.allSatisfy { $0.status == 201 && $0.id != nil }, "a create answers 201 with the row's id")
        #expect(failed.allSatisfy { [502, 503].contains($0.status) }, "only the proxy's 502/503 may fail a write: \(failed.prefix(5))")
        #expect(failed.isEmpty, "a stop with SHUTDOWN_DELAY_SECONDS fails no request: \(failed.prefix(5))")

        let rows = try await database.uuids("SELECT id FROM projects WHERE slug LIKE 'inst-%'")
        let answered = created.compactMap(\.id)
        let lost = Set(answered).subtracting(rows)
        let unanswered = Set(rows).subtracting(answered)
        #expect(lost.isEmpty, "creates answered 2xx but not in the database: \(lost.sorted { $0.uuidString < $1.uuidString }.prefix(5))")
        #expect(unanswered.isEmpty, "rows whose create was not answered 2xx: \(unanswered.count)")
        #expect(rows.count == answered.count, "one row per 2xx create: \(rows.count) rows, \(answered.count) answers")

        let servedBy = [a, b].map { countLines(accessLog($0), method: "POST", route: "/api/v1/projects", status: 201) }
        #expect(servedBy[0] > 0, "instance A served creates before it stopped: \(servedBy)")
        #expect(servedBy[0] + servedBy[1] == created.count, "each 2xx create logged by the instance that served it: \(servedBy)")
    }

    // MARK: - access logs

    /// The access-log lines (`"message": "request"`) of an instance's output.
    static func accessLog(_ run: ChildProcess.Run) -> [[String: Any]] {
        (run.stdout + "\n" + run.stderr).split(separator: "\n").compactMap { line in
            guard line.first == "{", let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return nil
            }
            return object["message"] as? String == "request" ? object : nil
        }
    }

    /// The lines of requests with `method` to `route` (the route template, or the path when the
    /// line has no such route) answered `status`.
    static func countLines(_ lines: [[String: Any]], method: String, route: String, status: Int) -> Int {
        lines.filter { line in
            let logged = (line["status"] as? Int) ?? (line["status"] as? String).flatMap { Int($0) }
            let path = line["route"] as? String == route || line["path"] as? String == route
            return line["method"] as? String == method && path && logged == status
        }.count
    }
}

/// `POST /api/v1/projects` from 8 clients at once through the proxy; after 50 have been sent,
/// instance A gets SIGTERM; the writes go on until 40 more were sent after it exited.
actor CreateLoad {
    struct Outcome: Sendable, CustomStringConvertible {
        var number: Int
        var status: Int
        var id: UUID?
        var problem: String

        var description: String { "#\(number): \(status) \(problem)" }
    }

    struct Report {
        var outcomes: [Outcome]
        /// Creates started before instance A exited.
        var startedBeforeExit: Int
        var stopped: ChildProcess.Run?
    }

    static let clients = 8
    static let beforeStop = 50
    static let afterExit = 40
    /// A bound, should the stopped instance never exit (its ChildProcess timeout then ends it).
    static let cap = 5_000

    private(set) var started = 0
    private var last: Int?
    private var outcomes: [Outcome] = []

    /// The next create's number, nil when the load is over.
    func next() -> Int? {
        guard started < Self.cap, started < (last ?? .max) else { return nil }
        started += 1
        return started
    }

    func stop(after more: Int) -> Int {
        last = started + more
        return started
    }

    func record(_ outcome: Outcome) { outcomes.append(outcome) }

    var recorded: [Outcome] { outcomes }

    static func run(base: String, token: String, stopping: ChildProcess) async -> Report {
        let load = CreateLoad()
        return await withTaskGroup(of: Void.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    let configuration = URLSessionConfiguration.ephemeral
                    configuration.timeoutIntervalForRequest = 30
                    let session = URLSession(configuration: configuration)
                    while let number = await load.next() {
                        await load.record(await create(number, base: base, token: token, session: session))
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                    session.finishTasksAndInvalidate()
                }
            }
            while await load.started < beforeStop { try? await Task.sleep(for: .milliseconds(5)) }
            stopping.terminate()
            let stopped = await stopping.finish()
            let startedBeforeExit = await load.stop(after: afterExit)
            for await _ in group {}
            return Report(outcomes: await load.recorded, startedBeforeExit: startedBeforeExit, stopped: stopped)
        }
    }

    static func create(_ number: Int, base: String, token: String, session: URLSession) async -> Outcome {
        guard let url = URL(string: base + "/api/v1/projects") else { return Outcome(number: number, status: 0, problem: "bad URL") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"name": "Instances \#(number)", "slug": "inst-\#(number)"}"#.utf8)
        do {
            let (body, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            let id = ((json?["data"] as? [String: Any])?["id"] as? String).flatMap { UUID(uuidString: $0) }
            let problem = (200..<300).contains(status) ? "" : String(decoding: body.prefix(300), as: UTF8.self)
            return Outcome(number: number, status: status, id: id, problem: problem)
        } catch {
            return Outcome(number: number, status: 0, problem: "\(error)")
        }
    }
}
