import TrellisOpenAPI
import TrellisVocabulary

/// The OpenAPI description of the built-in account endpoints, for the generator to put into the
/// document of an app: the paths, tags and component schemas of the groups the app serves.
///
/// The shared error responses (``ErrorResponse``), the bearer security scheme and the `ResourceID`
/// parameter are the document's own; examples are filled in by the generator.
package enum AccountsOpenAPI {
    /// The paths of `groups`, in ``AccountGroup/allCases`` order.
    package static func paths(groups: Set<AccountGroup>) -> [(String, Document)] {
        AccountGroup.allCases.filter(groups.contains).flatMap { group -> [(String, Document)] in
            switch group {
            case .auth: AccountPaths.authPaths()
            case .me: AccountPaths.mePaths()
            case .members: AccountPaths.memberPaths()
            case .invitations: AccountPaths.invitationPaths()
            case .apiKeys: AccountPaths.apiKeyPaths()
            case .auditLogs: AccountPaths.auditLogPaths()
            case .webhookEndpoints: AccountPaths.webhookPaths()
            case .admin: AccountPaths.adminPaths()
            }
        }
    }

    /// The top-level tags of `groups`.
    package static func tags(groups: Set<AccountGroup>) -> [Document] {
        AccountGroup.allCases.filter(groups.contains).map { ["name": .string($0.tag), "description": .string($0.tagDescription)] }
    }

    /// The component schemas some group in `groups` uses, in a fixed order.
    package static func schemas(groups: Set<AccountGroup>) -> [(String, Document)] {
        AccountSchemas.schemas(groups: groups)
    }
}
