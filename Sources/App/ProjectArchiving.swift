import AppAPI
import Foundation
import PostgresNIO
import Trellis

/// `POST /api/v1/projects/{id}/archive`: the project becomes `archived`, and its open tasks are
/// moved to `done`, in the same transaction; each task moved is audited as a `task.updated` (its
/// status before and after) with a change event, as if it had been changed on its own. The
/// `reason` is kept in the action's audit row (`details.input`), like every action's body.
public struct ProjectArchiving: ProjectActions {
    public init() {}

    public func archive(_ project: inout Project, input: ProjectArchiveInput, context: ActionContext) async throws {
        guard project.status != .archived else { return }
        project.status = .archived
        // `was`, after the task's own columns, is each task's status before the move.
        let statement = PostgresQuery(
            unsafeSQL: """
                WITH open_tasks (task_id, was) AS (
                    SELECT id, status FROM tasks WHERE org_id = $1 AND project_id = $2 AND status <> 'done' FOR UPDATE
                )
                UPDATE tasks SET status = 'done', updated_at = now() FROM open_tasks WHERE tasks.id = open_tasks.task_id
                RETURNING \(TaskItem.columns), was
                """,
            binds: {
                var bindings = PostgresBindings()
                bindings.append(context.principal.orgID)
                bindings.append(project.id)
                return bindings
            }()
        )
        var moved: [(before: TaskItem, after: TaskItem)] = []
        for try await row in try await context.connection.query(statement, logger: context.logger) {
            let cells = row.makeRandomAccess()
            let task = try TaskItem(row: cells)
            var before = task
            before.status = try cells[cells.count - 1].decode(TaskItemStatus.self)
            moved.append((before, task))
        }
        for (before, after) in moved {
            try await context.record(.updated, before: before, after: after)
        }
    }
}
