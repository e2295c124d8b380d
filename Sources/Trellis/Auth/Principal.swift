import Foundation

/// A member's role in an organization, from most to least powerful.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case owner
    case admin
    case member
    case viewer
}

/// The authenticated caller: a user acting in one organization with one role.
///
/// Tenancy comes from here and only from here: generated queries take `orgID` from the principal,
/// never from the request body or the URL.
public struct Principal: Sendable, Hashable {
    public var userID: UUID
    public var orgID: UUID
    public var role: Role

    public init(userID: UUID, orgID: UUID, role: Role) {
        self.userID = userID
        self.orgID = orgID
        self.role = role
    }
}
