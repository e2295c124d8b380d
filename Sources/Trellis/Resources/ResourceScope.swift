import Foundation
import PostgresNIO

/// The rows a statement of a resource may touch, made from the authenticated principal and from
/// nothing else, so tenancy holds by type: a generated statement of an organization's resource
/// cannot be built without a ``TenantScope``, and the only way to get one is from a ``Principal``.
///
/// Trellis defines the two scopes there are, ``TenantScope`` and ``SharedScope``: the generated SQL
/// places the values each binds (one `org_id`, or none), so another conformance would not fit it.
public protocol ResourceScope: Sendable {
    /// The scope of the rows `principal` may reach.
    init(principal: Principal)

    /// Appends the values of the scope's condition (`org_id = $n`) to a statement's bindings.
    func bind(into bindings: inout PostgresBindings)

    /// Appends the values of the scopes of a batch of reads, one array per value (`org_id`s in
    /// the order of the reads), for a statement that `unnest`s them.
    static func bind(_ scopes: [Self], into bindings: inout PostgresBindings)
}

/// One organization's rows (`tenancy: org`): every statement carries `org_id` from the principal.
public struct TenantScope: ResourceScope, Hashable {
    /// The organization whose rows the statement may touch.
    public let orgID: UUID

    public init(principal: Principal) {
        self.orgID = principal.orgID
    }

    public func bind(into bindings: inout PostgresBindings) {
        bindings.append(orgID)
    }

    public static func bind(_ scopes: [TenantScope], into bindings: inout PostgresBindings) {
        bindings.append(scopes.map(\.orgID))
    }
}

/// Rows shared by every organization (`tenancy: none`): statements have no scope condition.
public struct SharedScope: ResourceScope, Hashable {
    public init(principal: Principal) {}

    public func bind(into bindings: inout PostgresBindings) {}

    public static func bind(_ scopes: [SharedScope], into bindings: inout PostgresBindings) {}
}
