/// Maps database constraint names to the API fields they guard, so a unique or foreign-key
/// violation becomes a 409/422 naming the field instead of a 500.
///
/// The generator emits one entry per unique index and foreign key it creates.
public struct ConstraintCatalog: Sendable {
    public enum Kind: Sendable, Hashable {
        /// A unique index or constraint over `field`.
        case unique
        /// A foreign key from `table.field` to another resource.
        case foreignKey(table: String)
    }

    public struct Entry: Sendable, Hashable {
        public var field: String
        public var kind: Kind

        public init(field: String, kind: Kind) {
            self.field = field
            self.kind = kind
        }
    }

    public private(set) var entries: [String: Entry]

    public init(_ entries: [String: Entry] = [:]) {
        self.entries = entries
    }

    public mutating func merge(_ other: ConstraintCatalog) {
        entries.merge(other.entries) { first, _ in first }
    }

    public subscript(constraint: String) -> Entry? { entries[constraint] }
}
