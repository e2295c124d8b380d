/// A PATCH value for a nullable field: absent (leave it), `null` (clear it), or a new value.
public enum Patchable<Value: Sendable & Hashable>: Sendable, Hashable {
    case unchanged
    case clear
    case set(Value)

    /// The field's value after applying this patch to `current`.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .unchanged: current
        case .clear: nil
        case .set(let value): value
        }
    }
}
