import Synchronization

/// What `/ready` reports besides the database's migrations: whether the server has begun to stop
/// (from SIGTERM on it answers 503, so a load balancer sends no new requests) and whether the
/// database answers.
public final class ServerState: Sendable {
    private let draining = Atomic<Bool>(false)
    /// Whether the database answers (``DatabaseAvailabilityMonitor`` keeps it current).
    public let database = DatabaseAvailability()

    public init() {}

    /// True from the start of graceful shutdown.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    func startDraining() { draining.store(true, ordering: .relaxed) }
}
