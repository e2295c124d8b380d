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
/// most a quarter of what is left, so blocks shrink to single hits near the limit. The shared
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

    struct Entry {
        var minute: Int64
        /// The shared count PostgreSQL last returned: every instance's blocks so far.
        var shared: Int
        /// Hits of this instance's blocks not handed out yet.
        var inHand: Int
    }

    let client: PostgresClient
    let logger: Logger
    let clock: @Sendable () -> Date
    private let entries = Mutex<[String: Entry]>([:])

    public init(client: PostgresClient, logger: Logger, clock: @escaping @Sendable () -> Date = Date.init) {
        self.client = client
        self.logger = logger
        self.clock = clock
    }

    /// Counts one hit on `key` against `limit` hits a minute.
    public func hit(_ key: String, limit: Int) async -> Decision {
        let now = Int64(clock().timeIntervalSince1970.rounded(.down))
        let minute = now / 60
        let resetAt = (minute + 1) * 60
        func decision(_ allowed: Bool, remaining: Int) -> Decision {
            Decision(allowed: allowed, limit: limit, remaining: allowed ? max(0, remaining) : 0, resetSeconds: Int(resetAt - now), resetAt: resetAt)
        }
        enum Step { case decided(Decision), take(block: Int) }
        let step: Step = entries.withLock { entries in
            if entries.count > 10_000 { entries = entries.filter { $0.value.minute == minute } }
            var entry = entries[key].flatMap { $0.minute == minute ? $0 : nil } ?? Entry(minute: minute, shared: 0, inHand: 0)
            defer { entries[key] = entry }
            if entry.inHand > 0 {
                entry.inHand -= 1
                return .decided(decision(true, remaining: limit - entry.shared + entry.inHand))
            }
            if entry.shared >= limit { return .decided(decision(false, remaining: 0)) }
            return .take(block: max(1, min(limit / 20, (limit - entry.shared) / 4)))
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
            // Fail open: a database that does not answer fails the request itself (503) soon enough.
            logger.warning("rate limit count failed", metadata: ["error": "\(String(reflecting: error))"])
            return decision(true, remaining: limit)
        }
        // The part of the block within the limit; this hit takes the first of it.
        let granted = min(block, max(0, limit - (shared - block)))
        return entries.withLock { entries in
            guard var entry = entries[key], entry.minute == minute else { return decision(granted > 0, remaining: limit - shared) }
            entry.shared = max(entry.shared, shared)
            if granted > 0 { entry.inHand += granted - 1 }
            entries[key] = entry
            return decision(granted > 0, remaining: limit - entry.shared + entry.inHand)
        }
    }

    /// Adds `block` hits to the key's window in PostgreSQL; returns the new shared count.
    private func take(_ block: Int, of key: String, minute: Int64) async throws -> Int {
        let rows = try await client.query(
            """
            INSERT INTO rate_limit_windows (key, window_start, hits) VALUES (\(key), to_timestamp(\(Double(minute * 60))), \(Int32(clamping: block)))
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
