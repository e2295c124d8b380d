/// A comparison a list filter applies: `?status=todo` is ``eq``, `?due_on__gte=2026-01-01`
/// ``gte``, `?assignee_id__is_null=true` ``isNull``. A spec names them in a field's `filter:`,
/// the runtime reads them from the query: one definition for both.
public enum FilterOperator: String, Sendable, Hashable, CaseIterable {
    case eq
    case `in`
    case gt
    case gte
    case lt
    case lte
    /// Case-insensitive substring match (`ILIKE '%value%'`).
    case contains
    /// Case-insensitive prefix match (`ILIKE 'value%'`).
    case startsWith = "starts_with"
    /// `true` keeps the rows where the field is null, `false` the others.
    case isNull = "is_null"

    /// The query parameter for `field`: the bare name for ``eq``, `field__op` for the others.
    public func parameter(for field: String) -> String {
        self == .eq ? field : "\(field)__\(rawValue)"
    }

    /// The operators that apply to a field: `eq` and `in` to every filterable type, the
    /// comparisons to ordered ones, the text matches to text, `is_null` to nullable fields.
    public static func applicable(ordered: Bool, textual: Bool, boolean: Bool, nullable: Bool) -> [FilterOperator] {
        var operators: [FilterOperator] = boolean ? [.eq] : [.eq, .in]
        if ordered { operators += [.gt, .gte, .lt, .lte] }
        if textual { operators += [.contains, .startsWith] }
        if nullable { operators.append(.isNull) }
        return operators
    }
}
