import AppAPI
import Foundation
import PostgresNIO
import Trellis

/// Domain rule: a task may only be assigned to a member of the task's organization.
///
/// Users are shared by all organizations, so the foreign key alone cannot say this.
struct TaskAssigneeRule: TaskItemHooks {
    func validateCreate(_ input: TaskItemCreate, errors: inout ValidationErrors, context: HookContext) async throws {
        try await check(input.assigneeId, errors: &errors, context: context)
    }

    func validateUpdate(_ updated: TaskItem, previous: TaskItem, errors: inout ValidationErrors, context: HookContext) async throws {
        guard updated.assigneeId != previous.assigneeId else { return }
        try await check(updated.assigneeId, errors: &errors, context: context)
    }

    private func check(_ assignee: UUID?, errors: inout ValidationErrors, context: HookContext) async throws {
        guard let assignee else { return }
        let rows = try await context.connection.query(
            "SELECT 1 FROM memberships WHERE org_id = \(context.principal.orgID) AND user_id = \(assignee)",
            logger: context.logger
        )
        for try await _ in rows { return }
        errors.add("assignee_id", "must be a member of this organization")
    }
}
