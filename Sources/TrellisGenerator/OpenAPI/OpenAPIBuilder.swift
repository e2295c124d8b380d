import TrellisAccountsAPI
import TrellisOpenAPI
import TrellisSpec

/// Builds the OpenAPI 3.1 document of the whole API: generated resources plus built-in endpoints
/// (health, the document itself, and the account groups ``GeneratorOptions/accountEndpoints`` lists,
/// as `TrellisAccountsAPI` describes them).
struct OpenAPIBuilder {
    let resources: [ResolvedResource]
    let options: GeneratorOptions

    func build() -> Document {
        var paths: [(String, Document)] = [
            ("/health", operationPath(get: probe("getHealth", "Liveness: the process answers.", status: "ok"))),
            ("/ready", operationPath(get: probe("getReadiness", "Readiness: the database answers and is migrated.", status: "ready", unavailable: true))),
            ("/openapi.json", operationPath(get: openAPIOperation())),
        ]
        paths += AccountsOpenAPI.paths(groups: options.accountEndpoints)
        for resource in resources {
            paths += ResourcePaths(resource: resource).paths()
        }
        var schemas: [(String, Document)] = []
        for resource in resources {
            schemas += ResourceSchemas(resource: resource).schemas()
        }
        schemas += AccountsOpenAPI.schemas(groups: options.accountEndpoints)
        schemas += CommonComponents.schemas
        paths = RateLimitedOperations.documenting(IdempotentOperations.documenting(OperationExamples(schemas: schemas).filling(paths)))
        return [
            "openapi": "3.1.0",
            "info": [
                "title": .string(options.title),
                "version": .string(options.version),
                "description": .string(options.description),
            ],
            "servers": [["url": "/"]],
            "security": [["bearerAuth": []]],
            "tags": .array(
                AccountsOpenAPI.tags(groups: options.accountEndpoints)
                    + resources.map { ["name": .string($0.name), "description": .string($0.description ?? "\($0.name) resources.")] }
            ),
            "paths": .object(paths),
            "components": [
                "securitySchemes": [
                    "bearerAuth": [
                        "type": "http",
                        "scheme": "bearer",
                        "bearerFormat": "JWT",
                        "description": "An access token: `Authorization: Bearer <token>`.",
                    ]
                ],
                "schemas": .object(schemas),
                "parameters": CommonComponents.parameters,
                "headers": CommonComponents.headers,
                "responses": CommonComponents.responses,
            ],
        ]
    }

    private func operationPath(get: Document) -> Document {
        ["get": get]
    }

    private func probe(_ operationID: String, _ summary: String, status: String, unavailable: Bool = false) -> Document {
        var responses: [(String, Document)] = [
            ("200", [
                "description": .string(summary),
                "content": ["application/json": ["schema": [
                    "type": "object", "required": ["status"], "properties": ["status": ["type": "string", "const": .string(status)]],
                ], "example": ["status": .string(status)]]],
            ])
        ]
        if unavailable { responses.append((ErrorResponse.unavailable.status, ErrorResponse.unavailable.reference)) }
        return [
            "operationId": .string(operationID),
            "summary": .string(summary),
            "tags": ["Operations"],
            "security": [],
            "responses": .object(responses),
        ]
    }

    private func openAPIOperation() -> Document {
        [
            "operationId": "getOpenAPIDocument",
            "summary": "This document, as JSON.",
            "tags": ["Operations"],
            "security": [],
            "responses": [
                "200": [
                    "description": "The OpenAPI 3.1 document.",
                    "content": ["application/json": [
                        "schema": ["type": "object"],
                        "example": [
                            "openapi": "3.1.0", "info": ["title": .string(options.title), "version": .string(options.version)],
                            "paths": ["/health": ["get": ["operationId": "getHealth"]]],
                        ],
                    ]],
                ]
            ],
        ]
    }
}

/// Title, version and description of the generated document, and which built-in account
/// endpoints it describes.
public struct GeneratorOptions: Sendable, Hashable {
    /// The account groups described unless the project says otherwise: all of them.
    public static let defaultAccountEndpoints: Set<AccountGroup> = Set(AccountGroup.allCases)

    public var title: String
    public var version: String
    public var description: String
    /// The built-in account endpoint groups the document describes (under `/api/v1`) and the
    /// generated API serves: `accounts:` in the project file (``ProjectSettings``).
    public var accountEndpoints: Set<AccountGroup>
    /// Whether the generated API refuses writes from accounts whose email is not verified
    /// (`email_verification:` in the project file).
    public var emailVerification: EmailVerificationRule

    public init(
        title: String = "Trellis API", version: String = "1.0.0",
        description: String = "Generated by Trellis from the resource specs.",
        accountEndpoints: Set<AccountGroup> = GeneratorOptions.defaultAccountEndpoints, emailVerification: EmailVerificationRule = .optional
    ) {
        self.title = title
        self.version = version
        self.description = description
        self.accountEndpoints = accountEndpoints
        self.emailVerification = emailVerification
    }
}
