/// A group of the account and auth endpoints every Trellis app serves under `/api/v1`.
///
/// The OpenAPI document describes a group only when ``GeneratorOptions/accountEndpoints`` lists
/// it, so a group joins the document when its runtime routes land.
public enum AccountGroup: String, Sendable, Hashable, CaseIterable {
    /// `/auth/...`: sign-up, sign-in, refresh, logout, organization switch, password change.
    case auth
    /// `GET /me`: the caller, the organization the token acts in, and every membership.
    case me
    /// `/members`: the organization's members and their roles.
    case members
    /// `/invitations`: invite by email; preview, accept or decline by token.
    case invitations
    /// `/api-keys`: long-lived, scoped keys for machines.
    case apiKeys = "api-keys"

    /// The tag its operations carry.
    var tag: String {
        switch self {
        case .auth: "Auth"
        case .me: "Account"
        case .members: "Members"
        case .invitations: "Invitations"
        case .apiKeys: "API keys"
        }
    }

    var tagDescription: String {
        switch self {
        case .auth: "Sign-up, sign-in, token refresh and sessions."
        case .me: "The signed-in user and their organizations."
        case .members: "The members of the current organization and their roles."
        case .invitations: "Invitations to join the current organization."
        case .apiKeys: "Scoped API keys of the current organization."
        }
    }
}

/// The paths and operations of the built-in account endpoints, one group at a time.
///
/// Operations need a bearer token (the document's default security) unless they declare
/// `security: []`. Errors reference the shared responses of ``CommonComponents``; an operation
/// narrows what a status means with a `description` next to the `$ref`.
enum AccountPaths {
    static let base = "/api/v1"

    /// The paths of `groups`, in ``AccountGroup/allCases`` order.
    static func paths(groups: Set<AccountGroup>) -> [(String, Document)] {
        AccountGroup.allCases.filter(groups.contains).flatMap { group -> [(String, Document)] in
            switch group {
            case .auth: authPaths()
            case .me: mePaths()
            case .members: memberPaths()
            case .invitations: invitationPaths()
            case .apiKeys: apiKeyPaths()
            }
        }
    }

    /// The top-level tags of `groups`.
    static func tags(groups: Set<AccountGroup>) -> [Document] {
        AccountGroup.allCases.filter(groups.contains).map { ["name": .string($0.tag), "description": .string($0.tagDescription)] }
    }

    // MARK: - Building blocks

    /// An error an operation can answer with: a response of ``CommonComponents/errorCodes`` by
    /// name, and optionally what it means for this operation.
    struct Failure {
        let name: String
        let meaning: String?
    }

    static func failure(_ name: String, _ meaning: String? = nil) -> Failure {
        Failure(name: name, meaning: meaning)
    }

    static func ref(_ schema: String) -> Document {
        ["$ref": .string("#/components/schemas/\(schema)")]
    }

    /// A JSON response whose body is the component schema `schema`.
    static func json(_ schema: String, _ description: String) -> Document {
        ["description": .string(description), "content": ["application/json": ["schema": ref(schema)]]]
    }

    static func noContent(_ description: String) -> Document {
        ["description": .string(description)]
    }

    /// A `{name}` path parameter.
    static func pathParameter(_ name: String, _ description: String, schema: Document) -> Document {
        ["name": .string(name), "in": "path", "required": true, "description": .string(description), "schema": schema]
    }

    /// One operation. Failures every operation shares are added: 400, 413 and 415 with a body, 401
    /// when authenticated, 422 (an unknown query parameter), 500 and 503 always.
    static func operation(
        _ id: String, _ group: AccountGroup, summary: String, description: String? = nil, authenticated: Bool = true,
        parameters: [Document] = [], body: String? = nil, bodyRequired: Bool = true, success: (String, Document),
        failures: [Failure] = []
    ) -> Document {
        var entries: [(String, Document)] = [("operationId", .string(id)), ("summary", .string(summary))]
        if let description { entries.append(("description", .string(description))) }
        entries.append(("tags", [.string(group.tag)]))
        if !authenticated { entries.append(("security", [])) }
        if !parameters.isEmpty { entries.append(("parameters", .array(parameters))) }
        if let body {
            entries.append(("requestBody", ["required": .bool(bodyRequired), "content": ["application/json": ["schema": ref(body)]]]))
        }
        var all = failures
        var shared = ["InternalError", "Unavailable"]
        if authenticated { shared.insert("Unauthorized", at: 0) }
        if body != nil { shared.insert(contentsOf: ["BadRequest", "PayloadTooLarge", "UnsupportedMediaType"], at: 0) }
        for name in shared where !all.contains(where: { $0.name == name }) { all.append(failure(name)) }
        if !all.contains(where: { $0.name == "ValidationFailed" }) {
            all.append(failure("ValidationFailed", "The query has a parameter this operation does not accept."))
        }
        let errors = all.compactMap { failure -> (String, Document)? in
            guard let status = CommonComponents.errorCodes.first(where: { $0.name == failure.name })?.status else { return nil }
            var response: [(String, Document)] = [("$ref", .string("#/components/responses/\(failure.name)"))]
            if let meaning = failure.meaning { response.append(("description", .string(meaning))) }
            return (status, .object(response))
        }
        entries.append(("responses", .object([success] + errors.sorted { $0.0 < $1.0 })))
        return .object(entries)
    }
}
