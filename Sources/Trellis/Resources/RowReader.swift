import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// Reads rows of one resource by id for concurrent requests, in as few statements as the load
/// allows.
///
/// A read runs its own statement at once while fewer than ``ReadBatching/maxRunning`` statements
/// of the resource run, so a lone request waits for nothing. Past that, reads queue, and the
/// statement that finishes hands every queued read (up to ``ReadBatching/maxBatch``) to one
/// statement that looks them all up together (``RowSQL/findBatch``: an `unnest` of the ids and
/// organizations, joined to the table). Each read gets back only the row of its own id in its own
/// scope, so tenancy holds exactly as for a lone read. A row that does not decode fails only its
/// own read; a statement that fails fails each read of its batch.
///
/// Under load the database then runs one statement carrying many ids instead of one statement
/// per request, which is where a read by id spends most of its time (the protocol round trip, the
/// executor's start-up, the wake-ups of both processes), not in the index lookup.
///
/// A queued read is not cancelled with its task: it waits for its batch, which the pool's lease
/// timeout and the statement timeout bound. The batch's statement logs with the first read's
/// logger.
final class RowReader<R: Resource>: Sendable {
    private struct Read {
        var id: UUID
        var scope: R.Scope
        var logger: Logger
        var continuation: CheckedContinuation<Turn, any Error>
    }

    /// What a queued read is told when it is resumed.
    private enum Turn {
        /// A batch read it: its row, or nil.
        case found(R.Model?)
        /// A slot was free when it came to queue (re-checked under the lock): it runs its own.
        case runs
    }

    private struct State {
        var running = 0
        var queued: [Read] = []
        var batches = 0
    }

    private let client: PostgresClient
    private let batching: ReadBatching
    private let state = NIOLockedValueBox(State())

    init(client: PostgresClient, batching: ReadBatching) {
        self.client = client
        // Without the batch statement (a project's own queries template may lack it), every read
        // runs alone.
        self.batching = R.rows.findBatch == nil ? .off : batching
    }

    /// How many batch statements have run (for tests: a lone read never batches).
    var batchesRun: Int { state.withLockedValue(\.batches) }

    /// The visible row `id` in `scope`, or nil.
    func find(_ id: UUID, in scope: R.Scope, logger: Logger) async throws -> R.Model? {
        guard batching.isOn else { return try await client.first(FindRow<R>(id: id, scope: scope), logger: logger) }
        let maxRunning = batching.maxRunning
        let runsNow = state.withLockedValue { state in
            guard state.running < maxRunning else { return false }
            state.running += 1
            return true
        }
        if !runsNow {
            let turn = try await withCheckedThrowingContinuation { continuation in
                // Checked again under the lock that finishing statements take, so no read queues
                // after the last statement looked.
                let runsNow = state.withLockedValue { state in
                    guard state.running < maxRunning else {
                        state.queued.append(Read(id: id, scope: scope, logger: logger, continuation: continuation))
                        return false
                    }
                    state.running += 1
                    return true
                }
                if runsNow { continuation.resume(returning: .runs) }
            }
            if case .found(let row) = turn { return row }
        }
        defer { finished() }
        return try await client.first(FindRow<R>(id: id, scope: scope), logger: logger)
    }

    /// Called by a statement that finished: the queued reads go to a batch, or the statement's
    /// slot is freed.
    private func finished() {
        guard let batch = nextBatch() else { return }
        Task { await run(batch) }
    }

    /// Up to ``ReadBatching/maxBatch`` queued reads, keeping the finished statement's slot for
    /// them; nil (and the slot freed) when none queued.
    private func nextBatch() -> [Read]? {
        let maxBatch = batching.maxBatch
        return state.withLockedValue { state in
            guard !state.queued.isEmpty else {
                state.running -= 1
                return nil
            }
            state.batches += 1
            let count = min(state.queued.count, maxBatch)
            let batch = Array(state.queued.prefix(count))
            state.queued.removeFirst(count)
            return batch
        }
    }

    /// Runs `batch`, then the batches that queued meanwhile, until none is left.
    private func run(_ batch: [Read]) async {
        var batch = batch
        while true {
            let statement = FindBatch<R>(ids: batch.map(\.id), scopes: batch.map(\.scope))
            do {
                var rows = [Result<R.Model, any Error>?](repeating: nil, count: batch.count)
                for try await (read, row) in try await client.execute(statement, logger: batch[0].logger)
                where rows.indices.contains(read) {
                    rows[read] = row
                }
                for (read, row) in zip(batch, rows) {
                    switch row {
                    case nil: read.continuation.resume(returning: .found(nil))
                    case .success(let model): read.continuation.resume(returning: .found(model))
                    case .failure(let error): read.continuation.resume(throwing: error)
                    }
                }
            } catch {
                for read in batch { read.continuation.resume(throwing: error) }
            }
            guard let next = nextBatch() else { return }
            batch = next
        }
    }
}

/// How the server batches concurrent reads by id of a resource (``RowReader``).
public struct ReadBatching: Sendable, Hashable {
    /// Statements of one resource running at once before reads start to queue.
    public var maxRunning: Int
    /// Reads one batch statement carries at most.
    public var maxBatch: Int

    /// - Parameters:
    ///   - maxRunning: at least 1.
    ///   - maxBatch: at least 1; 1 turns batching off.
    public init(maxRunning: Int, maxBatch: Int = 128) {
        precondition(maxRunning >= 1 && maxBatch >= 1, "ReadBatching needs at least one running statement and one read a batch")
        self.maxRunning = maxRunning
        self.maxBatch = maxBatch
    }

    /// One running statement per two cores of this machine, batches of up to 128 reads.
    ///
    /// Measured with `make bench`'s GET-by-id workload (wrk, 32 connections, 2 cores, PostgreSQL
    /// on the same box), the same binaries twice each: one running statement served 25% more
    /// reads a second than two, with a lower p99, and about twice as many as a statement per read. A batch of 128 lookups takes about 2 ms there, so
    /// even one statement at a time carries some 60,000 reads a second. With the database on a
    /// bigger machine of its own, more running statements (up to the pool's size) may serve more.
    public static let `default` = ReadBatching(maxRunning: max(1, System.coreCount / 2))

    /// Every read is a statement of its own.
    public static let off = ReadBatching(maxRunning: .max, maxBatch: 1)

    var isOn: Bool { maxBatch > 1 }
}
