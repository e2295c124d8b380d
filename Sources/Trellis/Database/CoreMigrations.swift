/// The runtime's own migrations, applied before a project's (see ``TrellisAPI/allMigrations``).
public enum CoreMigrations {
    /// All built-in migrations, oldest first. Never edit one that has shipped: add a new one.
    public static let all: [Migration] = [
        core, accounts, platformAdmins, mutationLog, auditLogIndexes, jobs, jobSchedules, webhooks, webhookEvents, accountEmail,
    ]

    /// `trellis_0001_core`: the organizations, users and memberships every generated tenant table
    /// and every principal refers to.
    static let core = Migration(
        id: "trellis_0001_core",
        sql: """
            -- Migration trellis_0001_core: creates organizations, users and memberships, the built-in
            -- tables of multi-tenancy that every generated org_id column and principal refer to.
            -- Safe to run: it only creates new, empty tables and their indexes.
            -- SET LOCAL: the settings end with the migration's transaction and never leak into the pool.
            SET LOCAL lock_timeout = '5s';
            SET LOCAL statement_timeout = '1min';

            CREATE TABLE organizations (
                id uuid PRIMARY KEY,
                name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
                slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE users (
                id uuid PRIMARY KEY,
                email text NOT NULL,
                name text NOT NULL,
                password_hash text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- Emails are unique regardless of case.
            CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

            CREATE TABLE memberships (
                org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (org_id, user_id)
            );

            -- "Which organizations does this user belong to?" (the primary key leads with org_id).
            CREATE INDEX memberships_user_id_idx ON memberships (user_id);

            """
    )

    /// `trellis_0003_platform_admins`: the flag that lets a user write the rows every organization
    /// shares (`tenancy: none`).
    static let platformAdmins = Migration(
        id: "trellis_0003_platform_admins",
        sql: """
            -- Migration trellis_0003_platform_admins: adds users.platform_admin, false for everyone.
            -- Safe to run: a column with a constant default is added without rewriting the table.
            SET LOCAL lock_timeout = '5s';
            SET LOCAL statement_timeout = '1min';

            ALTER TABLE users ADD COLUMN platform_admin boolean NOT NULL DEFAULT false;

            """
    )
}
