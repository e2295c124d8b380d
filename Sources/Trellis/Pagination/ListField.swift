import Foundation

/// A field a list may filter or sort by, as the spec declares it: the generated resource lists
/// them in ``ListQuery``.
public struct ListField: Sendable {
    /// The column, which is also the JSON name and the query parameter's base name (`due_on`).
    public let name: String
    public let kind: Kind
    /// The type a bound value is cast to in SQL (`date`, `timestamptz`, `numeric`, `text`).
    public let sqlType: String
    public let isNullable: Bool
    /// The operators `?name__op=` accepts; empty when the field is not filterable.
    public let operators: Set<FilterOperator>
    public let isSortable: Bool

    /// How a filter's text is read and checked before it reaches SQL.
    public enum Kind: Sendable, Hashable {
        case string
        case integer(ClosedRange<Int64>)
        case decimal
        case bool
        case uuid
        /// A ref to a user: `me` stands for the caller.
        case userReference
        case date
        case datetime
        case enumeration([String])
    }

    public init(
        _ name: String, _ kind: Kind, sqlType: String, nullable: Bool = false,
        filters operators: Set<FilterOperator> = [], sortable: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.sqlType = sqlType
        self.isNullable = nullable
        self.operators = operators
        self.isSortable = sortable
    }
}
