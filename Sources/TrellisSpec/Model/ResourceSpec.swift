/// One resource as written in `specs/<name>.yaml`, with defaults applied and source locations kept.
///
/// Every key and its default:
/// - `resource` (required): PascalCase name; the API path and table derive from it.
/// - `swift_name`: the Swift type name, when `resource` would shadow a standard type (`Task`).
/// - `table`: defaults to the snake_case plural of `resource`.
/// - `description`: shown in the OpenAPI document.
/// - `tenancy`: `org` (default) scopes every row to the caller's organization; `none` shares rows.
/// - `soft_delete`: `false`; when `true`, DELETE sets `deleted_at` and `POST /{id}/restore` exists.
/// - `timestamps`: `true`; `created_at` and `updated_at` columns managed by the server.
/// - `concurrency`: `optional` (default): every row has a `version`, answered as its `ETag`, and
///   `If-Match` on PATCH and DELETE is checked when sent (412 when stale); `required`: a PATCH or
///   DELETE without `If-Match` answers 428.
/// - `fields`: the client-visible columns, in order.
/// - `indexes`: extra indexes, each a list of columns or `{ columns: [...], unique: true }`.
/// - `pagination`: see ``PaginationSpec``.
/// - `permissions`: see ``PermissionsSpec``.
/// - `search`: the string and text fields `?q=` searches (full text, ranked), as a list or as
///   `{ fields: [...], language: english }`; see ``SearchSpec``.
/// - `renamed_from`: the previous resource name (or table): the next migration renames the table.
/// - `dropped`: confirms destructive changes for the next migration: removed fields (`legacy`) and
///   removed enum values (`status.blocked`) whose data may be lost.
public struct ResourceSpec: Hashable, Sendable {
    public var name: Located<String>
    public var swiftName: Located<String>?
    public var table: Located<String>?
    public var description: String?
    public var tenancy: Tenancy
    public var softDelete: Bool
    public var timestamps: Bool
    public var concurrency: ConcurrencyControl
    public var fields: [FieldSpec]
    public var indexes: [IndexSpec]
    public var pagination: PaginationSpec
    public var permissions: PermissionsSpec
    /// The field that records a row's owner, for `{ role: own }` permissions (`owner: author_id`);
    /// nil lets the one `set_from: principal.user` field be it.
    public var owner: Located<String>?
    /// Operations beyond CRUD (`actions:`), each at `POST /{id}/<name>`.
    public var actions: [ActionSpec]
    public var search: SearchSpec?
    public var renamedFrom: Located<String>?
    public var dropped: [Located<String>]
    /// The spec file, as given to the loader (relative paths stay relative).
    public var file: String

    /// The field that records a row's owner: `owner`, or else the one `set_from: principal.user`
    /// field; nil when neither names one.
    public var ownerField: FieldSpec? {
        if let owner { return fields.first { $0.name.value == owner.value } }
        let candidates = fields.filter { $0.setFrom == .principalUser }
        return candidates.count == 1 ? candidates[0] : nil
    }

    public init(
        name: Located<String>,
        swiftName: Located<String>? = nil,
        table: Located<String>? = nil,
        description: String? = nil,
        tenancy: Tenancy = .org,
        softDelete: Bool = false,
        timestamps: Bool = true,
        concurrency: ConcurrencyControl = .optional,
        fields: [FieldSpec] = [],
        indexes: [IndexSpec] = [],
        pagination: PaginationSpec = PaginationSpec(),
        permissions: PermissionsSpec = PermissionsSpec(),
        owner: Located<String>? = nil,
        actions: [ActionSpec] = [],
        search: SearchSpec? = nil,
        renamedFrom: Located<String>? = nil,
        dropped: [Located<String>] = [],
        file: String
    ) {
        self.name = name
        self.swiftName = swiftName
        self.table = table
        self.description = description
        self.tenancy = tenancy
        self.softDelete = softDelete
        self.timestamps = timestamps
        self.concurrency = concurrency
        self.fields = fields
        self.indexes = indexes
        self.pagination = pagination
        self.permissions = permissions
        self.owner = owner
        self.actions = actions
        self.search = search
        self.renamedFrom = renamedFrom
        self.dropped = dropped
        self.file = file
    }
}

public enum Tenancy: String, Hashable, Sendable, CaseIterable {
    /// Rows belong to one organization; every query is scoped by the caller's `org_id`.
    case org
    /// Rows are shared by every organization.
    case none
}

/// Whether writes must name the version they change (`concurrency`).
public enum ConcurrencyControl: String, Hashable, Sendable, CaseIterable {
    /// `If-Match` is checked when a client sends it.
    case optional
    /// A PATCH, DELETE or restore without `If-Match` answers 428.
    case required
}

/// An extra index on the resource's table.
public struct IndexSpec: Hashable, Sendable {
    public var columns: [Located<String>]
    public var unique: Bool
    public var location: SourceLocation

    public init(columns: [Located<String>], unique: Bool = false, location: SourceLocation) {
        self.columns = columns
        self.unique = unique
        self.location = location
    }
}

/// Full-text search over some of a resource's fields: `?q=` matches their words (stemmed in
/// `language`), best match first.
public struct SearchSpec: Hashable, Sendable {
    public var fields: [Located<String>]
    /// A PostgreSQL text search configuration (`english`, `simple`, ...).
    public var language: Located<String>
    public var location: SourceLocation

    /// The configurations every PostgreSQL installation has.
    public static let languages = [
        "simple", "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english", "finnish", "french", "german",
        "greek", "hindi", "hungarian", "indonesian", "irish", "italian", "lithuanian", "nepali", "norwegian",
        "portuguese", "romanian", "russian", "serbian", "spanish", "swedish", "tamil", "turkish", "yiddish",
    ]

    public init(fields: [Located<String>], language: Located<String>, location: SourceLocation) {
        self.fields = fields
        self.language = language
        self.location = location
    }
}

/// A custom action of a resource (`actions: { archive: { roles: [admin, owner], input: {...} } }`):
/// `POST /api/v1/<resource>/{id}/<name>`, implemented by hand, run on the locked row.
public struct ActionSpec: Hashable, Sendable {
    public var name: Located<String>
    public var description: String?
    /// Who may perform it; by default admins and owners.
    public var roles: [Role]
    /// The roles among ``roles`` that perform it only on the rows they own.
    public var ownRoles: Set<Role>
    /// Where the first `{ role: own }` entry is.
    public var ownLocation: SourceLocation?
    /// The fields of its body.
    public var input: [FieldSpec]

    public init(
        name: Located<String>, description: String? = nil, roles: [Role] = [.owner, .admin], ownRoles: Set<Role> = [],
        ownLocation: SourceLocation? = nil, input: [FieldSpec] = []
    ) {
        self.name = name
        self.description = description
        self.roles = roles
        self.ownRoles = ownRoles
        self.ownLocation = ownLocation
        self.input = input
    }
}
