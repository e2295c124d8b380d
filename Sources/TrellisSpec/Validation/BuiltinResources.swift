/// Resources the runtime owns: specs may reference them with `type: ref`, but not redefine them.
public enum BuiltinResources {
    /// Resource name -> table.
    public static let tables: [String: String] = [
        "Organization": "organizations",
        "User": "users",
        "Membership": "memberships",
    ]

    /// Tables and paths of the runtime's own features (sessions, API keys, invitations, audit):
    /// a spec's table or path may not reuse them.
    public static let reservedTables: Set<String> = [
        "sessions", "refresh_tokens", "api_keys", "invitations", "audit_events", "audit_logs", "change_events", "idempotency_keys",
        "email_outbox", "rate_limit_windows",
        "schema_migrations", "members", "me", "auth",
    ]

    /// Columns every generated table gets; a field may not reuse these names.
    public static let serverColumns = ["id", "org_id", "version", "created_at", "updated_at", "deleted_at"]

    /// Field names the generated Swift uses for its own locals.
    public static let reservedFieldNames = ["reader", "hidden"]

    /// PostgreSQL's reserved key words (`pg_get_keywords()` categories R and T): a column or table
    /// with one of these names would need quoting in every statement, which generated SQL does not do.
    public static let sqlReservedWords: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary", "both",
        "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create", "cross",
        "current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
        "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
        "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
        "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime", "localtimestamp",
        "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order", "outer", "overlaps", "placing", "primary",
        "references", "returning", "right", "select", "session_user", "similar", "some", "symmetric", "table",
        "tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
        "where", "window", "with",
    ]

    /// Type names that a generated type would shadow in every module importing it.
    public static let reservedTypeNames: Set<String> = [
        "Task", "Data", "Date", "URL", "Error", "Result", "Router", "Request", "Response", "String", "Int", "Bool",
        "Double", "Float", "Array", "Dictionary", "Set", "Optional", "UUID", "Decimal", "Character", "Never", "Void",
        "Any", "Type", "Protocol", "Self", "Logger", "Application", "Duration", "Clock", "Calendar", "Locale",
        "Organization", "User", "Membership", "Principal", "Role", "Page", "Permission", "APIKey", "Member", "Invitation",
    ]
}
