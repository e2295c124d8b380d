import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Per-minute request counts that every instance shares through PostgreSQL, without a database
/// round trip on most requests.
///
/// An instance takes hits for a key from PostgreSQL in blocks: one upsert adds a block to the
/// key's shared count for the minute and, as far as the new count stays within the limit, gives
/// the instance that many hits to hand out locally. A block is a twentieth of the limit, and at
/// most a quarter of what is left, so blocks shrink to single hits near the limit; while one block
/// of a key is being taken, concurrent requests for the key take single hits, so a burst of
/// parallel requests does not claim many blocks at once. The shared
/// count therefore never lets more than `limit` requests through, however many instances share
/// it; what an instance took and did not hand out before the minute ended is lost, so a client
/// spread over several instances may be refused a few requests early. Once the count has reached
/// the limit, the instance refuses the key locally until the minute ends: a client hammering a
/// limited key costs no database work. With the default 1,000 a minute a user's requests cost one
/// upsert per 50.
///
/// Windows are fixed minutes of the instance's clock; `RateLimitSweeper` deletes ended ones.
public final class SharedRateCounter: Sendable {
    /// What the counter decided for one hit.
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var limit: Int
        /// Hits left in this window after this one, as this instance knows (0 when refused).
        public var remaining: Int
        /// Seconds until the window ends (1-60).
        public var resetSeconds: Int
        /// The window's end, in seconds since 1970 (`X-RateLimit-Reset`).
        public var resetAt: Int64
    }

    /// Whose requests a count is of: a user, an API key or a client address (`api:user:<id>`,
    /// `api:key:<id>`, `api:ip:<address>` in `rate_limit_windows`).
    public enum Key: Hashable, Sendable {
        case user(UUID)
        case apiKey(UUID)
        case address(String)

        /// The key's name in `rate_limit_windows`.
        public var name: String {
            switch self {
            case .user(let id): "api:user:\(id.uuidString)"
            case .apiKey(let id): "api:key:\(id.uuidString)"
            case .address(let address): "api:ip:\(address)"
            }
        }
    }

    struct Entry {
        var minute: Int64
        /// The shared count PostgreSQL last returned: every instance's blocks so far.
        var shared: Int
        /// Hits of this instance's blocks not handed out yet.
        var inHand: Int
        /// Whether a block (more than one hit) is being taken for this key.
        var taking = false
    }

    struct State {
        var entries: [Key: Entry] = [:]
        /// The minute whose ended keys were last dropped (once a minute, not on every hit).
        var pruned: Int64 = 0
    }

    let client: PostgresClient
    let logger: Logger
    let clock: @Sendable () -> Date
    private let state = Mutex(State())

    public init(client: PostgresClient, logger: Logger, clock: @escaping @Sendable () -> Date = Date.init) {
        self.client = client
        self.logger = logger
        self.clock = clock
    }

    /// Counts one hit on `key` against `limit` hits a minute.
    public func hit(_ key: Key, limit: Int) async -> Decision {
        let now = Int64(clock().timeIntervalSince1970.rounded(.down))
        let minute = now / 60
        let resetAt = (minute + 1) * 60
        func decision(_ allowed: Bool, remaining: Int) -> Decision {
            Decision(allowed: allowed, limit: limit, remaining: allowed ? max(0, remaining) : 0, resetSeconds: Int(resetAt - now), resetAt: resetAt)
        }
        enum Step { case decided(Decision), take(block: Int) }
        let step: Step = state.withLock { state in
            if state.pruned != minute {
                state.entries = state.entries.filter { $0.value.minute == minute }
                state.pruned = minute
            }
            var entry = state.entries[key].flatMap { $0.minute == minute ? $0 : nil } ?? Entry(minute: minute, shared: 0, inHand: 0)
            defer { state.entries[key] = entry }
            if entry.inHand > 0 {
                entry.inHand -= 1
                return .decided(decision(true, remaining: limit - entry.shared + entry.inHand))
            }
            if entry.shared >= limit { return .decided(decision(false, remaining: 0)) }
            guard !entry.taking else { return .take(block: 1) }
            let block = max(1, min(limit / 20, (limit - entry.shared) / 4))
            if block > 1 { entry.taking = true }
            return .take(block: block)
        }
        let block: Int
        switch step {
        case .decided(let decided): return decided
        case .take(let size): block = size
        }
        let shared: Int
        do {
            shared = try await take(block, of: key, minute: minute)
        } catch {
            if block > 1 { state.withLock { $0.entries[key]?.taking = false } }
            // Fail open: a database that does not answer fails the request itself (503) soon enough.
            logger.warning("rate limit count failed", metadata: ["error": "\(String(reflecting: error))"])
            return decision(true, remaining: limit)
        }
        // The part of the block within the limit; this hit takes the first of it.
        let granted = min(block, max(0, limit - (shared - block)))
        return state.withLock { state in
            guard var entry = state.entries[key], entry.minute == minute else { return decision(granted > 0, remaining: limit - shared) }
            entry.shared = max(entry.shared, shared)
            if granted > 0 { entry.inHand += granted - 1 }
            if block > 1 { entry.taking = false }
            state.entries[key] = entry
            return decision(granted > 0, remaining: limit - entry.shared + entry.inHand)
        }
    }

    /// Adds `block` hits to the key's window in PostgreSQL; returns the new shared count.
    private func take(_ block: Int, of key: Key, minute: Int64) async throws -> Int {
        let name = key.name
        let rows = try await client.query(
            """
            INSERT INTO rate_limit_windows (key, window_start, hits) VALUES (\(name), to_timestamp(\(Double(minute * 60))), \(Int32(clamping: block)))
            ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_windows.hits + excluded.hits
            RETURNING hits
            """,
            logger: logger
        )
        var shared = block
        for try await hits in rows.decode(Int32.self) { shared = Int(hits) }
        return shared
    }
}
