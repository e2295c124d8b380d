import Hummingbird
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Whether the database answers, as the server last found: while it does not, requests that need
/// it are answered 503 `database_unavailable` at once instead of waiting for a connection.
///
/// postgres-nio 1.33 queues a request for a connection while it cannot open one and fails the
/// queue only after a minute (its circuit breaker, which `PostgresClient` does not let us tune). So
/// the server finds out for itself: ``DatabaseAvailabilityMonitor`` leases a connection once a
/// second (twice while the database is down) and gives up after the lease timeout, and a request
/// that fails because a connection broke marks the database down at once (``ErrorMiddleware``).
/// The first lease that succeeds marks it up again: the pool has reconnected by itself.
public final class DatabaseAvailability: Sendable {
    private let down = Atomic<Bool>(false)

    public init() {}

    /// False from a failed probe or a broken connection until the next probe that leases one.
    public var isAvailable: Bool { !down.load(ordering: .relaxed) }

    func markDown() { down.store(true, ordering: .relaxed) }
    func markUp() { down.store(false, ordering: .relaxed) }
}

extension DatabaseAvailability {
    /// What `body` returns, or nil when it fails or has not finished after `timeout` (as when no
    /// connection can be leased). At the timeout `body` is cancelled and left behind: a query
    /// written to a connection the server has just closed may never finish (postgres-nio 1.33), so
    /// waiting for it to notice the cancellation could take as long as the outage.
    static func result<Value: Sendable>(
        within timeout: Duration, _ body: @escaping @Sendable () async throws -> Value
    ) async -> Value? {
        let answer = FirstAnswer<Value?>()
        return await withCheckedContinuation { continuation in
            answer.deliver(to: continuation)
            let work = Task { answer.resolve(try? await body()) }
            Task {
                try? await Task.sleep(for: timeout)
                answer.resolve(nil)
                work.cancel()
            }
        }
    }
}

/// Resumes a continuation with the first value resolved; later ones are dropped.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, Never>?, done: Bool)>((nil, false))

    func deliver(to continuation: CheckedContinuation<Value, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func resolve(_ value: Value) {
        let continuation: CheckedContinuation<Value, Never>? = state.withLock { state in
            guard !state.done else { return nil }
            state.done = true
            return state.continuation
        }
        continuation?.resume(returning: value)
    }
}

/// Probes the database through the pool: `SELECT 1` once a second, every half second while it is
/// down, each given the lease timeout (`DATABASE_LEASE_TIMEOUT_SECONDS`, 5 s by default).
///
/// A probe that gets no connection in time marks the database down only when PostgreSQL does not
/// accept a TCP connection either: when it does, every connection of the pool is busy (slow
/// statements, lock waits), and answering 503 would turn a slow instance into a missing one.
struct DatabaseAvailabilityMonitor: Service {
    let availability: DatabaseAvailability
    let client: PostgresClient
    let leaseTimeout: Duration
    /// Where PostgreSQL listens, to tell a busy pool from a database that is gone; nil for a Unix
    /// socket, where a failed probe alone marks it down.
    let endpoint: DatabaseEndpoint?
    let logger: Logger

    func run() async throws {
        var saturated = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let answered: Bool = await DatabaseAvailability.result(within: leaseTimeout) { [client, logger] in
                for try await _ in try await client.query("SELECT 1", logger: logger) {}
                return true
            } ?? false
            if answered {
                saturated = false
                if !availability.isAvailable {
                    logger.notice("the database answers again")
                    availability.markUp()
                }
            } else if availability.isAvailable {
                if let endpoint, await endpoint.acceptsConnections(within: leaseTimeout) {
                    if !saturated { logger.warning("every database connection stayed busy for \(leaseTimeout)", metadata: ["lease_timeout": "\(leaseTimeout)"]) }
                    saturated = true
                } else {
                    logger.error("the database does not answer: requests get 503 until it does", metadata: ["lease_timeout": "\(leaseTimeout)"])
                    availability.markDown()
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: answered ? .seconds(1) : .milliseconds(500)) }
        }
    }
}

/// PostgreSQL's host and port (`DATABASE_URL`).
public struct DatabaseEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Whether a TCP connection to it opens within `timeout` (it is closed at once).
    func acceptsConnections(within timeout: Duration) async -> Bool {
        let (seconds, attoseconds) = timeout.components
        let bootstrap = ClientBootstrap(group: NIOSingletons.posixEventLoopGroup)
            .connectTimeout(.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
        guard let channel = try? await bootstrap.connect(host: host, port: port).get() else { return false }
        try? await channel.close()
        return true
    }
}

/// Answers 503 `database_unavailable` at once while the database is down, so a request does not
/// wait for a connection the pool cannot open.
struct DatabaseAvailabilityMiddleware: RouterMiddleware {
    typealias Context = TrellisRequestContext

    let availability: DatabaseAvailability

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard availability.isAvailable else { throw APIError.databaseUnavailable }
        return try await next(request, context)
    }
}
