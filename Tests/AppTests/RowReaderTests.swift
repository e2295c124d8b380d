import Foundation
import PostgresNIO
import Testing

@testable import AppAPI
@testable import Trellis

/// Reads by id batched under load (``RowReader``): each read answers exactly as it would alone.
@Suite struct RowReaderTests {
    @Test func concurrentReadsBatchAndAnswerEachInItsOwnScope() async throws {
        let (client, _) = try await TestEnvironment.shared.client()
        let acme = Users.principal(.viewer, in: "acme")
        let globex = Users.principal(.viewer, in: "globex")
        var acmeTasks: [UUID] = []
        for try await id in try await client.query("SELECT id FROM tasks WHERE org_id = \(acme.orgID) ORDER BY id LIMIT 12", logger: TestEnvironment.shared.logger)
            .decode(UUID.self) {
            acmeTasks.append(id)
        }
        #expect(acmeTasks.count == 12)
        let absent = UUID(uuidString: "0193a5c8-0000-7000-8000-00000000dead")!
        // Acme's tasks found in Acme's scope only; Globex reading the same ids, and anyone an
        // unknown id, get nothing.
        let reads: [(id: UUID, principal: Principal, found: Bool)] =
            acmeTasks.map { ($0, acme, true) } + acmeTasks.map { ($0, globex, false) } + [(absent, acme, false), (absent, globex, false)]

        let reader = RowReader<TaskItemResource>(client: client, batching: ReadBatching(maxRunning: 1))
        // Bursts of every read at once until one batched (the first reads run alone by design).
        for _ in 0..<5 where reader.batchesRun == 0 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for read in reads + reads + reads {
                    group.addTask {
                        let row = try await reader.find(read.id, in: TenantScope(principal: read.principal), logger: TestEnvironment.shared.logger)
                        #expect(row?.id == (read.found ? read.id : nil), "\(read.id) read by org \(read.principal.orgID)")
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(reader.batchesRun > 0)

        // A lone read is a statement of its own.
        let before = reader.batchesRun
        let alone = try await reader.find(acmeTasks[0], in: TenantScope(principal: acme), logger: TestEnvironment.shared.logger)
        #expect(alone?.id == acmeTasks[0])
        #expect(reader.batchesRun == before)
    }
}
