/// The limits of a list request that the runtime enforces and the OpenAPI document states.
public enum ListLimits {
    /// The most values one `in` filter takes.
    public static let maxInValues = 100
    /// The deepest offset page: beyond it, a client should narrow the list with filters.
    public static let maxPage = 10_000
    /// The most sort keys a request names.
    public static let maxSortKeys = 4
    /// The most child rows `?include=` embeds per row (`/projects?include=tasks`); the nested
    /// route pages further.
    public static let includedChildren = 5
}
