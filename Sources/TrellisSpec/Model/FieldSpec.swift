/// One field of a resource. Defaults: not required, no default, mutable, not unique.
///
/// A field is NOT NULL when it is `required` or has a `default`; otherwise it is nullable and a
/// PATCH with an explicit `null` clears it.
public struct FieldSpec: Hashable, Sendable {
    public var name: Located<String>
    public var type: FieldType
    public var description: String?
    public var required: Bool
    public var defaultValue: Located<DefaultValue>?
    public var minimum: Int64?
    public var maximum: Int64?
    public var minLength: Int?
    public var maxLength: Int?
    public var format: StringFormat?
    public var unique: Bool
    public var immutable: Bool
    public var setFrom: SetFrom?
    /// The field's previous name: the next migration renames the column, keeping its data.
    /// Harmless once applied (the snapshot no longer has the old name), so it may stay.
    public var renamedFrom: Located<String>?
    /// The operators a list may filter this field by (`filter: true` for every one that applies,
    /// or a list); empty when the field is not filterable.
    public var filters: [FilterOperator]
    /// A trigram index (`pg_trgm`) serves `contains` and `starts_with` on the field.
    public var trigram: Bool
    /// The audit log records that the field changed, never its value, and change events leave it
    /// out (`sensitive: true`).
    public var sensitive: Bool
    /// The roles that see the field (`read_roles`); nil: every role that may read the row. Other
    /// roles get rows without it, and may not filter or sort by it.
    public var readRoles: Located<[Role]>?
    /// The roles that may set the field (`write_roles`); nil: every role that may create or
    /// update. Another role sending it gets a 422.
    public var writeRoles: Located<[Role]>?

    public init(
        name: Located<String>,
        type: FieldType,
        description: String? = nil,
        required: Bool = false,
        defaultValue: Located<DefaultValue>? = nil,
        minimum: Int64? = nil,
        maximum: Int64? = nil,
        minLength: Int? = nil,
        maxLength: Int? = nil,
        format: StringFormat? = nil,
        unique: Bool = false,
        immutable: Bool = false,
        setFrom: SetFrom? = nil,
        renamedFrom: Located<String>? = nil,
        filters: [FilterOperator] = [],
        trigram: Bool = false,
        sensitive: Bool = false
    ) {
        self.name = name
        self.type = type
        self.description = description
        self.required = required
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
        self.minLength = minLength
        self.maxLength = maxLength
        self.format = format
        self.unique = unique
        self.immutable = immutable
        self.setFrom = setFrom
        self.renamedFrom = renamedFrom
        self.filters = filters
        self.trigram = trigram
        self.sensitive = sensitive
    }

    /// Whether the column can hold NULL.
    public var isNullable: Bool { !required && defaultValue == nil && setFrom == nil }
}

/// A field's type. `enum` carries its values, `ref` its target resource.
public enum FieldType: Hashable, Sendable {
    case string
    case text
    case int32
    case int64
    case decimal(precision: Int, scale: Int)
    case bool
    case uuid
    case date
    case datetime
    case enumeration(values: [String])
    case json
    case reference(to: Located<String>, onDelete: OnDelete)

    /// The type names a spec may use, in the order the docs list them.
    public static let names = [
        "string", "text", "int32", "int64", "decimal", "bool", "uuid", "date", "datetime", "enum", "json", "ref",
    ]

    public var name: String {
        switch self {
        case .string: "string"
        case .text: "text"
        case .int32: "int32"
        case .int64: "int64"
        case .decimal: "decimal"
        case .bool: "bool"
        case .uuid: "uuid"
        case .date: "date"
        case .datetime: "datetime"
        case .enumeration: "enum"
        case .json: "json"
        case .reference: "ref"
        }
    }

    public var isInteger: Bool { self == .int32 || self == .int64 }

    /// The filter operators that apply to a field of this type (none to json).
    public func filterOperators(nullable: Bool) -> [FilterOperator] {
        switch self {
        case .json: []
        case .bool: FilterOperator.applicable(ordered: false, textual: false, boolean: true, nullable: nullable)
        case .int32, .int64, .decimal, .date, .datetime:
            FilterOperator.applicable(ordered: true, textual: false, boolean: false, nullable: nullable)
        case .string, .text: FilterOperator.applicable(ordered: false, textual: true, boolean: false, nullable: nullable)
        case .uuid, .enumeration, .reference: FilterOperator.applicable(ordered: false, textual: false, boolean: false, nullable: nullable)
        }
    }
    public var isTextual: Bool { self == .string || self == .text }
}

/// What happens to rows referencing a deleted row.
public enum OnDelete: String, Hashable, Sendable, CaseIterable {
    case restrict
    case cascade
    case setNull = "set_null"
}

/// Server-owned values copied from the authenticated principal.
public enum SetFrom: String, Hashable, Sendable, CaseIterable {
    case principalUser = "principal.user"
}

/// A literal default, already checked against the field's type.
public enum DefaultValue: Hashable, Sendable {
    case string(String)
    case integer(Int64)
    case decimal(String)
    case bool(Bool)
}
