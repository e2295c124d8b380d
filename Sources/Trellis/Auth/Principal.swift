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
    /// The sign-in session the access token belongs to (`sid`); logout revokes it.
    public var sessionID: UUID?

    public init(userID: UUID, orgID: UUID, role: Role, sessionID: UUID? = nil) {
        self.userID = userID
        self.orgID = orgID
        self.role = role
        self.sessionID = sessionID
    }
}
