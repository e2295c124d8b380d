import Trellis

/// One field of a ``ResourceContract``: its type, constraints and the valid values the generator
/// derived from the spec (the same values the OpenAPI document shows as examples).
public struct FieldContract: Sendable {
    /// The field's type, with what the checks need to know to make valid values of it.
    public enum Kind: Sendable, Hashable {
        case string(format: Format? = nil)
        case text
        case int32
        case int64
        case decimal(precision: Int, scale: Int)
        case bool
        case uuid
        case date
        case datetime
        case enumeration([String])
        case json
        /// The id of a row of `resource` (`User`, `Organization` or a spec's resource);
        /// `sameOrganization` when both sides are organization-scoped, so the reference must stay
        /// inside one organization.
        case reference(to: String, sameOrganization: Bool = false)
    }

    /// The `format` of a string field.
    public enum Format: String, Sendable, Hashable {
        case email
        case url
        case slug
    }

    /// The JSON key (`due_on`).
    public var name: String
    public var kind: Kind
    /// Whether a create request must send it.
    public var required: Bool
    /// Whether `null` is a value it can hold.
    public var nullable: Bool
    /// Set on create, never changed.
    public var immutable: Bool
    /// Written by the server (`set_from: principal.user`): a client may not send it.
    public var setByServer: Bool
    /// Unique within the organization (within the table for shared resources).
    public var unique: Bool
    /// `sensitive: true`: the audit trail and change events never hold its value.
    public var sensitive: Bool
    /// The roles that see it (`read_roles`); nil: every reader.
    public var readRoles: Set<Role>?
    /// The roles that may set it (`write_roles`); nil: every writer.
    public var writeRoles: Set<Role>?
    public var minLength: Int?
    public var maxLength: Int?
    /// The bounds of a number, as decimal text (`"0"`, `"100000"`).
    public var minimum: String?
    public var maximum: String?
    /// A valid value.
    public var example: JSONValue
    /// Another valid value, different from ``example``, that an update sets; nil when the field
    /// has only one valid value.
    public var alternate: JSONValue?

    public init(
        _ name: String, _ kind: Kind, required: Bool = false, nullable: Bool = false, immutable: Bool = false,
        setByServer: Bool = false, unique: Bool = false, sensitive: Bool = false, readRoles: Set<Role>? = nil,
        writeRoles: Set<Role>? = nil, minLength: Int? = nil, maxLength: Int? = nil,
        minimum: String? = nil, maximum: String? = nil, example: JSONValue, alternate: JSONValue? = nil
    ) {
        self.name = name
        self.kind = kind
        self.required = required
        self.nullable = nullable
        self.immutable = immutable
        self.setByServer = setByServer
        self.unique = unique
        self.sensitive = sensitive
        self.readRoles = readRoles
        self.writeRoles = writeRoles
        self.minLength = minLength
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.example = example
        self.alternate = alternate
    }

    /// The resource a reference points to.
    var referencedResource: String? {
        if case .reference(let resource, _) = kind { return resource }
        return nil
    }
}
