import TrellisOpenAPI
import TrellisSpec

/// The context of the files that tie the API together (`api.swift`, `migrations.swift`,
/// `openapi.swift`).
struct APIContext {
    struct Resource: Separated {
        var typeName: String
        /// The `GeneratedAPI.Hooks` property of its hooks (and `GeneratedAPI.Actions`, of its actions).
        var hooksProperty: String
        /// Whether its spec declares custom actions.
        var hasActions: Bool
        var comma = ""
        var lineComma = ""
    }

    /// A unique index or foreign key, for the runtime's error mapping.
    struct Constraint {
        var name: String
        var field: String
        /// The `ConstraintCatalog.Kind` expression.
        var kind: String
    }

    struct Migration {
        var id: String
        /// The SQL as a raw multi-line Swift string literal.
        var literal: String
    }

    /// An account group the app serves, in `accountEndpoints`.
    struct AccountGroupItem: Separated {
        /// The `AccountGroup` case.
        var caseName: String
        var comma = ""
        var lineComma = ""
    }

    var specDirectory: String
    var resources: [Resource]
    /// The resources with custom actions: `GeneratedAPI.Actions` has one property for each.
    var actionResources: [Resource]
    var hasActions: Bool
    var constraints: [Constraint]
    var migrations: [Migration]
    /// The OpenAPI document's JSON as a raw multi-line Swift string literal.
    var literal: String
    /// Whether the project leaves some account groups out; the API then lists those it serves
    /// (every group is `TrellisAPI`'s default).
    var narrowsAccounts: Bool
    var accountGroups: [AccountGroupItem]
    /// Whether the project refuses writes from unverified accounts (`TrellisAPI`'s default is not to).
    var requiresVerifiedEmail: Bool

    init(
        specDirectory: String, resources: [ResolvedResource], schema: Schema, migrations: [MigrationFile], document: Document,
        accountEndpoints: Set<AccountGroup>, emailVerification: EmailVerificationRule = .optional
    ) {
        self.specDirectory = specDirectory
        self.requiresVerifiedEmail = emailVerification == .requiredForWrites
        self.narrowsAccounts = accountEndpoints != Set(AccountGroup.allCases)
        self.accountGroups = separated(
            AccountGroup.allCases.filter(accountEndpoints.contains).map { AccountGroupItem(caseName: String(describing: $0)) }
        )
        self.resources = resources.map { resource in
            Resource(
                typeName: resource.swiftName, hooksProperty: Naming.camelCase(Naming.snakeCase(resource.swiftName)),
                hasActions: !resource.actions.isEmpty
            )
        }
        self.actionResources = separated(self.resources.filter(\.hasActions))
        self.hasActions = !actionResources.isEmpty
        self.constraints = Self.constraints(schema)
        self.migrations = migrations.map { Migration(id: $0.id, literal: SwiftNames.rawMultilineLiteral($0.sql)) }
        self.literal = SwiftNames.rawMultilineLiteral(document.json())
    }

    /// Unique indexes and foreign keys (but the `org_id` half of a tenant reference) by name.
    private static func constraints(_ schema: Schema) -> [Constraint] {
        var entries: [Constraint] = []
        for table in schema.tables {
            for index in table.indexes where index.unique {
                entries.append(Constraint(name: index.name, field: index.columns.last ?? "", kind: ".unique"))
            }
            for key in table.foreignKeys where key.columns.last != "org_id" {
                entries.append(Constraint(name: key.name, field: key.columns.last ?? "", kind: ".foreignKey(table: \"\(table.name)\")"))
            }
        }
        return entries.sorted { $0.name < $1.name }
    }
}
