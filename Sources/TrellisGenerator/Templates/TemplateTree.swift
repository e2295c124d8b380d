/// A template context made ready for Mustache: every struct becomes a `[String: Any]` of its
/// stored properties, once, before rendering.
///
/// Mustache finds a name in a struct through `Mirror`, which reflects every property of the value
/// on each lookup and walks up the section stack through each enclosing value for a name the top
/// one lacks. The contexts are typed structs, looked up thousands of times per file, so the
/// reflection was over half of the generator's time. A dictionary answers the same lookups in
/// O(1) and renders the same text: a property holding `nil` is left out, which Mustache treats
/// exactly as it treats a nil property (it looks further up the stack).
enum TemplateTree {
    /// `value` with its structs (at any depth: in arrays, dictionaries and optionals) turned
    /// into dictionaries; `nil` for an empty optional. Enums, tuples, sets and scalars are kept
    /// as they are.
    static func make(_ value: Any) -> Any? {
        switch value {
        case is String, is Bool, is Int, is Substring, is Double:
            return value
        case let array as [Any]:
            return array.map { make($0) ?? $0 }
        case let dictionary as [String: Any]:
            return dictionary.compactMapValues(make)
        default:
            break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.flatMap { make($0.value) }
        case .struct, .class:
            var members: [String: Any] = [:]
            members.reserveCapacity(Int(mirror.children.count))
            for child in mirror.children {
                guard let label = child.label, let member = make(child.value) else { continue }
                members[label] = member
            }
            return members
        default:
            return value
        }
    }
}
