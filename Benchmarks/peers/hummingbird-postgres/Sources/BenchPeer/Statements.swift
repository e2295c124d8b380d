import Foundation
import PostgresNIO

// Every statement is prepared once per connection (PostgresClient.execute) and scoped by the
// caller's organization: another organization's rows are never read or written.

/// One task by id.
struct FindTask: PostgresPreparedStatement {
    static let name = "peer.tasks.find"
    static let sql = "SELECT \(taskColumns) FROM tasks WHERE id = $1 AND org_id = $2"
    typealias Row = TaskRow

    var id: UUID
    var orgID: UUID

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(id)
        bindings.append(orgID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Whether a task exists (to tell 404 from 422 after an update that changed nothing).
struct TaskExists: PostgresPreparedStatement {
    static let name = "peer.tasks.exists"
    static let sql = "SELECT 1 FROM tasks WHERE id = $1 AND org_id = $2"
    typealias Row = Int32

    var id: UUID
    var orgID: UUID

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(id)
        bindings.append(orgID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// The filters and position of a list page; each combination is its own prepared statement, so
/// that PostgreSQL plans each with the indexes it can use (no `$2 IS NULL OR ...`).
protocol ListVariant: Sendable {
    static var name: String { get }
    static var sql: String { get }
}

/// Newest first by `(created_at, id)`; a cursor continues strictly after the last row seen.
func listSQL(project: Bool, status: Bool, cursor: Bool) -> String {
    var conditions = ["org_id = $1"]
    var next = 2
    if project {
        conditions.append("project_id = $\(next)")
        next += 1
    }
    if status {
        conditions.append("status = $\(next)")
        next += 1
    }
    if cursor {
        conditions.append("(created_at, id) < ($\(next), $\(next + 1))")
        next += 2
    }
    return "SELECT \(taskColumns) FROM tasks WHERE \(conditions.joined(separator: " AND ")) ORDER BY created_at DESC, id DESC LIMIT $\(next)"
}

enum ListAll: ListVariant {
    static let name = "peer.tasks.list"
    static let sql = listSQL(project: false, status: false, cursor: false)
}
enum ListAllAfter: ListVariant {
    static let name = "peer.tasks.list.after"
    static let sql = listSQL(project: false, status: false, cursor: true)
}
enum ListProject: ListVariant {
    static let name = "peer.tasks.list.project"
    static let sql = listSQL(project: true, status: false, cursor: false)
}
enum ListProjectAfter: ListVariant {
    static let name = "peer.tasks.list.project.after"
    static let sql = listSQL(project: true, status: false, cursor: true)
}
enum ListStatus: ListVariant {
    static let name = "peer.tasks.list.status"
    static let sql = listSQL(project: false, status: true, cursor: false)
}
enum ListStatusAfter: ListVariant {
    static let name = "peer.tasks.list.status.after"
    static let sql = listSQL(project: false, status: true, cursor: true)
}
enum ListProjectStatus: ListVariant {
    static let name = "peer.tasks.list.project.status"
    static let sql = listSQL(project: true, status: true, cursor: false)
}
enum ListProjectStatusAfter: ListVariant {
    static let name = "peer.tasks.list.project.status.after"
    static let sql = listSQL(project: true, status: true, cursor: true)
}

struct Cursor: Sendable {
    var createdAt: Timestamp
    var id: UUID

    /// base64url of `<created_at microseconds>_<id>`.
    var encoded: String {
        Data("\(createdAt.micros)_\(id.lowercased)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(createdAt: Timestamp, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    init?(encoded: Substring) {
        guard encoded.utf8.count <= 200 else { return nil }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "_")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(createdAt: Timestamp(micros: micros), id: id)
    }
}

struct ListTasks<Variant: ListVariant>: PostgresPreparedStatement {
    static var name: String { Variant.name }
    static var sql: String { Variant.sql }
    typealias Row = TaskRow

    var orgID: UUID
    var projectID: UUID?
    var status: String?
    var cursor: Cursor?
    var limit: Int

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(orgID)
        if let projectID { bindings.append(projectID) }
        if let status { bindings.append(status) }
        if let cursor {
            bindings.append(cursor.createdAt)
            bindings.append(cursor.id)
        }
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// The visible projects among `ids` (one query for a whole page of tasks).
struct FindProjects: PostgresPreparedStatement {
    static let name = "peer.projects.find_many"
    static let sql = "SELECT \(projectColumns) FROM projects WHERE org_id = $1 AND id = ANY($2) AND deleted_at IS NULL"
    typealias Row = ProjectRow

    var orgID: UUID
    var ids: [UUID]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(orgID)
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Inserts a task in one statement; no row comes back when the assignee is not a member of the
/// organization (Trellis's example app has the same rule). A project of another organization
/// fails the composite foreign key (23503).
struct InsertTask: PostgresPreparedStatement {
    static let name = "peer.tasks.insert"
    static let sql = """
        INSERT INTO tasks (id, org_id, project_id, title, status, priority, due_on, assignee_id, estimate, created_at, updated_at)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10
        WHERE $8::uuid IS NULL OR EXISTS (SELECT 1 FROM memberships WHERE org_id = $2 AND user_id = $8)
        RETURNING \(taskColumns)
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .uuid, .text, .text, .text, .date, .uuid, .numeric, .timestamptz]
    typealias Row = TaskRow

    var id: UUID
    var orgID: UUID
    var input: TaskCreate
    var now: Timestamp

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 10)
        bindings.append(id)
        bindings.append(orgID)
        bindings.append(input.projectID)
        bindings.append(input.title)
        bindings.append(input.status)
        bindings.append(input.priority)
        bindings.append(input.dueOn)
        bindings.append(input.assigneeID)
        try bindings.append(input.estimate)
        bindings.append(now)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Applies a PATCH in one statement: absent fields keep their value, `updated_at` moves only when
/// something changed, and a new assignee must be a member of the organization (no row otherwise).
struct UpdateTask: PostgresPreparedStatement {
    static let name = "peer.tasks.update"
    static let sql = """
        UPDATE tasks SET
            title = COALESCE($3, title),
            status = COALESCE($4, status),
            priority = COALESCE($5, priority),
            due_on = CASE WHEN $6 THEN $7 ELSE due_on END,
            assignee_id = CASE WHEN $8 THEN $9 ELSE assignee_id END,
            estimate = CASE WHEN $10 THEN $11 ELSE estimate END,
            updated_at = CASE
                WHEN ROW(COALESCE($3, title), COALESCE($4, status), COALESCE($5, priority),
                         CASE WHEN $6 THEN $7 ELSE due_on END, CASE WHEN $8 THEN $9 ELSE assignee_id END,
                         CASE WHEN $10 THEN $11 ELSE estimate END)
                     IS DISTINCT FROM ROW(title, status, priority, due_on, assignee_id, estimate)
                THEN $12 ELSE updated_at END
        WHERE id = $1 AND org_id = $2
            AND (NOT $8 OR $9 IS NULL OR assignee_id IS NOT DISTINCT FROM $9
                 OR EXISTS (SELECT 1 FROM memberships WHERE org_id = $2 AND user_id = $9))
        RETURNING \(taskColumns)
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .uuid, .uuid, .text, .text, .text, .bool, .date, .bool, .uuid, .bool, .numeric, .timestamptz,
    ]
    typealias Row = TaskRow

    var id: UUID
    var orgID: UUID
    var patch: TaskPatch
    var now: Timestamp

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 12)
        bindings.append(id)
        bindings.append(orgID)
        bindings.append(patch.title)
        bindings.append(patch.status)
        bindings.append(patch.priority)
        bindings.append(patch.dueOn.isSent)
        bindings.append(patch.dueOn.valueOrNil)
        bindings.append(patch.assigneeID.isSent)
        bindings.append(patch.assigneeID.valueOrNil)
        bindings.append(patch.estimate.isSent)
        try bindings.append(patch.estimate.valueOrNil)
        bindings.append(now)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
