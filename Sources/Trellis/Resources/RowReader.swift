import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// ``RowReader/maxRunning``, computed once (a generic type has no stored static properties).
private let rowReaderMaxRunning = max(1, System.coreCount / 2)

/// Reads rows of one resource by id for concurrent requests, in as few statements as the load
/// allows.
///
/// A read runs its own statement at once when no statement of the resource is running, so a
/// lone request waits for nothing. Past that, reads queue, and the statement that finishes hands
/// every queued read (up to ``maxBatch``) to one statement that looks them all up together
/// (``RowSQL/findBatch``: an `unnest` of the ids and organizations, joined to the table). Each
/// read gets back only the row of its own id in its own scope, so tenancy holds exactly as for a
/// lone read; a batch that fails fails each of its reads.
///
/// Under load the database then runs one statement carrying many ids instead of one statement
/// per request, which is where a read by id spends most of its time (the protocol round trip, the
/// executor's start-up, the wake-ups of both processes), not in the index lookup. Measured with
/// `make bench` (32 connections, 2 cores): one running statement serves 25% more reads a second
/// than two, with a lower p99, and about twice as many as a statement per read. A batch of 128
/// lookups takes about 2 ms there, so even one statement at a time carries some 60,000 reads a
/// second; a machine with more cores runs more at once (``maxRunning``).
final class RowReader<R: Resource>: Sendable {
    /// Statements of this resource running at once before reads start to queue: one per two
    /// cores, as a process decodes and answers about that many batches at a time.
    static var maxRunning: Int { rowReaderMaxRunning }
    /// Reads one batch statement carries at most.
    static var maxBatch: Int { 128 }

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
        /// A running statement finished while it queued: it runs its own.
        case runs
    }

    private struct State {
        var running = 0
        var queued: [Read] = []
        var batches = 0
    }

    private let client: PostgresClient
    private let state = NIOLockedValueBox(State())

    init(client: PostgresClient) {
        self.client = client
    }

    /// How many batch statements have run (for tests: a lone read never batches).
    var batchesRun: Int { state.withLockedValue(\.batches) }

    /// The visible row `id` in `scope`, or nil.
    func find(_ id: UUID, in scope: R.Scope, logger: Logger) async throws -> R.Model? {
        let runsNow = state.withLockedValue { state in
            guard state.running < Self.maxRunning else { return false }
            state.running += 1
            return true
        }
        if !runsNow {
            let turn = try await withCheckedThrowingContinuation { continuation in
                // Checked again under the lock that finishing statements take, so no read queues
                // after the last statement looked.
                let runsNow = state.withLockedValue { state in
                    guard state.running < Self.maxRunning else {
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

    /// Up to ``maxBatch`` queued reads, keeping the finished statement's slot for them; nil (and
    /// the slot freed) when none queued.
    private func nextBatch() -> [Read]? {
        state.withLockedValue { state in
            guard !state.queued.isEmpty else {
                state.running -= 1
                return nil
            }
            state.batches += 1
            let count = min(state.queued.count, Self.maxBatch)
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
                var rows = [R.Model?](repeating: nil, count: batch.count)
                for try await (read, row) in try await client.execute(statement, logger: batch[0].logger)
                where rows.indices.contains(read) {
                    rows[read] = row
                }
                for (read, row) in zip(batch, rows) { read.continuation.resume(returning: .found(row)) }
            } catch {
                for read in batch { read.continuation.resume(throwing: error) }
            }
            guard let next = nextBatch() else { return }
            batch = next
        }
    }
}
