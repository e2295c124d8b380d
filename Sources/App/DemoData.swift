import Foundation
import Logging
import PostgresNIO
import Trellis

/// Deterministic demo data: fixed ids, names and timestamps, loaded idempotently.
///
/// Two organizations (Acme, Globex), one user per role in each (`<role>@<slug>.test`, all signing in
/// with ``password``), 45 projects in Acme (the first three described, so `?q=` finds them), and
/// 12 tasks in those three (statuses, priorities, assignees and due dates varied, so the list
/// filters have something to tell apart).
public enum DemoData {
    public struct Organization: Sendable {
        public var id: UUID
        public var name: String
        public var slug: String
    }

    public struct User: Sendable {
        public var id: UUID
        public var email: String
        public var name: String
        public var organization: UUID
        public var role: Role
    }

    public static let organizations = [
        Organization(id: fixedID(0x0A, 1), name: "Acme", slug: "acme"),
        Organization(id: fixedID(0x0A, 2), name: "Globex", slug: "globex"),
    ]

    public static let users: [User] = organizations.enumerated().flatMap { orgIndex, organization in
        Role.allCases.enumerated().map { roleIndex, role in
            User(
                id: fixedID(0x0B, (orgIndex + 1) * 16 + roleIndex + 1),
                email: "\(role.rawValue)@\(organization.slug).test",
                name: "\(organization.name) \(role.rawValue.capitalized)",
                organization: organization.id,
                role: role
            )
        }
    }

    /// When the organizations, users and memberships were created.
    public static let accountsCreated = Timestamp(microsecondsSinceEpoch: 1_764_547_200_000_000)  // 2025-12-01T00:00:00Z

    public static let projectCount = 45
    /// The first project's creation time; each next one is a minute later.
    public static let projectsStart = Timestamp(microsecondsSinceEpoch: 1_767_225_600_000_000)  // 2026-01-01T00:00:00Z

    /// `0193a5c8-0000-7000-8000-KKNNNNNNNNNN`: readable, unique, valid UUIDv7 layout.
    static func fixedID(_ kind: Int, _ number: Int) -> UUID {
        let tail = String(format: "%02x%010x", kind, number)
        return UUID(uuidString: "0193a5c8-0000-7000-8000-\(tail)") ?? UUID()
    }

    public static func projectID(_ number: Int) -> UUID { fixedID(0x0C, number) }
    public static func taskID(_ number: Int) -> UUID { fixedID(0x0D, number) }

    /// The descriptions of the first projects.
    static let projectDescriptions = [
        1: "The launch plan for the spring release: website, press and support.",
        2: "Customer onboarding: the checklist every new account goes through.",
        3: "Quarterly infrastructure upgrade of the database and the build machines.",
    ]

    /// The demo tasks: 4 in each of the first 3 projects.
    public static let taskCount = 12
    static let taskTitles = [
        "Draft the announcement", "Book the launch webinar", "Update the pricing page", "Brief the support team",
        "Write the welcome email", "Record the setup video", "Review the onboarding survey", "Fix the invite flow",
        "Upgrade PostgreSQL", "Rotate the signing keys", "Move CI to the new runners", "Load-test the API",
    ]

    /// The password of every demo user (development only).
    public static let password = "trellis demo password"

    /// Inserts whatever is missing, in one transaction; running it again changes nothing.
    public static func load(into database: Database, hasher: PasswordHasher = PasswordHasher(), logger: Logger) async throws {
        try await database.transaction(logger: logger) { connection in
            for organization in organizations {
                try await connection.query(
                    """
                    INSERT INTO organizations (id, name, slug, created_at, updated_at)
                    VALUES (\(organization.id), \(organization.name), \(organization.slug), \(accountsCreated), \(accountsCreated))
                    ON CONFLICT (id) DO NOTHING
                    """,
                    logger: logger
                )
            }
            for user in users {
                // The salt comes from the user's fixed id, so the seed writes the same bytes every time.
                let hash = try await hasher.hash(password, salt: withUnsafeBytes(of: user.id.uuid) { Array($0) })
                try await connection.query(
                    """
                    INSERT INTO users (id, email, name, password_hash, email_verified_at, created_at, updated_at)
                    VALUES (\(user.id), \(user.email), \(user.name), \(hash), \(accountsCreated), \(accountsCreated), \(accountsCreated))
                    ON CONFLICT (id) DO NOTHING
                    """,
                    logger: logger
                )
                try await connection.query(
                    """
                    INSERT INTO memberships (org_id, user_id, role, created_at)
                    VALUES (\(user.organization), \(user.id), \(user.role.rawValue), \(accountsCreated))
                    ON CONFLICT (org_id, user_id) DO NOTHING
                    """,
                    logger: logger
                )
            }
            let acme = organizations[0].id
            for number in 1...projectCount {
                let created = Timestamp(microsecondsSinceEpoch: projectsStart.microsecondsSinceEpoch + Int64(number - 1) * 60_000_000)
                let name = String(format: "Project %02d", number)
                let slug = String(format: "project-%02d", number)
                let description = projectDescriptions[number]
                try await connection.query(
                    """
                    INSERT INTO projects (id, org_id, name, slug, status, description, created_at, updated_at)
                    VALUES (\(projectID(number)), \(acme), \(name), \(slug), 'active', \(description), \(created), \(created))
                    ON CONFLICT (id) DO NOTHING
                    """,
                    logger: logger
                )
            }
            let members = users.filter { $0.organization == acme }.map(\.id)
            let statuses = ["todo", "doing", "done", "todo"]
            let priorities = ["low", "medium", "high", "urgent", "medium"]
            for number in 1...taskCount {
                let created = Timestamp(microsecondsSinceEpoch: projectsStart.microsecondsSinceEpoch + Int64(number) * 3_600_000_000)
                // Every third task is unassigned and every fourth has no due date.
                let assignee: UUID? = number % 3 == 0 ? nil : members[number % members.count]
                let dueOn: CalendarDate? = number % 4 == 0 ? nil : CalendarDate(year: 2026, month: 2, day: number)
                try await connection.query(
                    """
                    INSERT INTO tasks (id, org_id, project_id, title, status, priority, due_on, assignee_id, created_at, updated_at)
                    VALUES (
                        \(taskID(number)), \(acme), \(projectID((number - 1) / 4 + 1)), \(taskTitles[number - 1]),
                        \(statuses[number % statuses.count]), \(priorities[number % priorities.count]), \(dueOn), \(assignee),
                        \(created), \(created)
                    )
                    ON CONFLICT (id) DO NOTHING
                    """,
                    logger: logger
                )
            }
        }
    }
}
