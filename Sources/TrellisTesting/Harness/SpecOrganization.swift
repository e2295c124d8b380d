import Foundation
import Trellis

/// An organization made for one test, with one member per role; its ids derive from the test's
/// name, so every run sees the same ones.
public struct SpecOrganization: Sendable {
    public let id: UUID
    public let slug: String
    /// The user id of each role's member.
    public let members: [Role: UUID]

    init(label: String) {
        id = UUID.stable("\(label)/organization")
        slug = "spec-" + label.stableTag
        var members: [Role: UUID] = [:]
        for role in Role.allCases { members[role] = UUID.stable("\(label)/\(role.rawValue)") }
        self.members = members
    }

    /// The member with `role`, signed in.
    public func principal(_ role: Role) -> Principal {
        Principal(userID: members[role] ?? id, orgID: id, role: role)
    }

    /// The viewer, signed in as a platform administrator: what they may do, they may do by that
    /// flag alone.
    public var platformAdmin: Principal {
        Principal(userID: members[.viewer] ?? id, orgID: id, role: .viewer, isPlatformAdmin: true)
    }
}

/// Who sends a request: a signed-in member (an access token), or an API key.
public enum SpecActor: Sendable {
    case member(Principal)
    case apiKey(String)
}
