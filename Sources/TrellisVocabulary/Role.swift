/// A member's role in an organization, from most to least powerful. The spec language names
/// these in `permissions`, and the runtime checks them on every request: one definition for both.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case owner
    case admin
    case member
    case viewer

    /// Higher is more powerful.
    public var rank: Int {
        switch self {
        case .owner: 3
        case .admin: 2
        case .member: 1
        case .viewer: 0
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}
