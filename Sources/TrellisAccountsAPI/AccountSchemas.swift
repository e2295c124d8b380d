import TrellisOpenAPI
import TrellisVocabulary

/// The component schemas of the built-in account endpoints: bodies, models and `{"data": ...}`
/// envelopes, each listed with the groups that use it.
///
/// Bodies reject unknown keys like generated resources do. Passwords are `writeOnly`; tokens and
/// secrets the server issues are `readOnly`.
enum AccountSchemas {
    /// The schemas some group in `groups` uses, in a fixed order.
    static func schemas(groups: Set<AccountGroup>) -> [(String, Document)] {
        catalog.filter { !$0.usedBy.isDisjoint(with: groups) }.map { ($0.name, $0.schema) }
    }

    typealias Entry = (name: String, usedBy: Set<AccountGroup>, schema: Document)

    static var catalog: [Entry] {
        sessionSchemas + callerSchemas + memberSchemas + invitationSchemas + apiKeySchemas + auditLogSchemas + webhookSchemas + adminSchemas
    }

    // MARK: - Auth

    static var sessionSchemas: [Entry] {
        [
            ("TokenPair", [.auth, .invitations], object(
                "A signed-in session: a short-lived access token and the single-use refresh token that renews it.",
                [
                    ("access_token", string("A JWT to send as `Authorization: Bearer <token>`.", readOnly: true, example: AccountExamples.accessToken)),
                    ("refresh_token", string("Single use: exchange it at `/auth/refresh` for the next pair.", readOnly: true, example: AccountExamples.refreshToken)),
                    ("token_type", ["type": "string", "const": "Bearer"]),
                    ("expires_in", ["type": "integer", "minimum": 1, "description": "Seconds until the access token expires.", "examples": [900]]),
                ]
            )),
            ("TokenPairResponse", [.auth, .invitations], envelope("TokenPair")),
            ("SignupRequest", [.auth], object(
                "The body of a sign-up: the new account and the organization it will own.",
                [
                    ("email", email),
                    ("password", newPassword),
                    ("name", string("The user's display name.", minLength: 1, maxLength: 200, example: "Ada Lovelace")),
                    ("organization_name", string("The new organization's name.", minLength: 1, maxLength: 200)),
                ],
                example: [
                    "email": "ada@example.com", "password": "correct horse battery staple", "name": "Ada Lovelace",
                    "organization_name": "Analytical Engines",
                ]
            )),
            ("LoginRequest", [.auth], object(
                "The body of a sign-in.", [("email", email), ("password", currentPassword("The account's password."))],
                example: ["email": "ada@example.com", "password": "correct horse battery staple"]
            )),
            ("RefreshRequest", [.auth], object(
                "The body of a token refresh.",
                [("refresh_token", string("The refresh token of the latest pair.", minLength: 1, maxLength: 512))]
            )),
            ("SwitchOrganizationRequest", [.auth], object(
                "The body of an organization switch.", [("org_id", uuid("The id of an organization the user belongs to."))]
            )),
            ("PasswordChangeRequest", [.auth], object(
                "The body of a password change.",
                [("current_password", currentPassword("The password in use now.")), ("new_password", newPassword)]
            )),
            ("PasswordResetRequest", [.auth], object("The body of a password-reset request.", [("email", email)], example: ["email": "ada@example.com"])),
            ("PasswordResetConfirmRequest", [.auth], object(
                "The body of a password reset.",
                [("token", string("The token from the reset email's link.", minLength: 1, maxLength: 512)), ("new_password", newPassword)]
            )),
            ("VerifyEmailRequest", [.auth], object(
                "The body of an email verification.", [("token", string("The token from the verification email's link.", minLength: 1, maxLength: 512))]
            )),
            ("EmailVerified", [.auth], object(
                "A verified email address.", [("email_verified_at", timestamp("When the address was first verified."))]
            )),
            ("EmailVerifiedResponse", [.auth], envelope("EmailVerified")),
            ("EmailChangeRequest", [.auth], object(
                "The body of an email change.", [("new_email", email), ("password", currentPassword("The account's password."))],
                example: ["new_email": "ada@example.org", "password": "correct horse battery staple"]
            )),
            ("EmailChanged", [.auth], object(
                "The account's email address after a change.",
                [("email", email), ("email_verified_at", timestamp("Null until the new address is verified.", nullable: true))]
            )),
            ("EmailChangedResponse", [.auth], envelope("EmailChanged")),
            ("Message", [.auth], object("A message for the user.", [("message", string())])),
            ("MessageResponse", [.auth], envelope("Message")),
        ]
    }

    // MARK: - Me

    static var callerSchemas: [Entry] {
        [
            ("Role", [.me, .members, .invitations], [
                "type": "string",
                "description": "What a member may do in an organization, from most to least: owner, admin, member, viewer.",
                "enum": .array(Role.allCases.map { .string($0.rawValue) }),
            ]),
            ("User", [.me], object(
                "A user account.",
                [("id", uuid(readOnly: true)), ("email", email), ("name", string(minLength: 1, maxLength: 200, example: "Ada Lovelace")), ("created_at", timestamp())]
            )),
            ("Organization", [.me], object(
                "An organization: the tenant every record belongs to.",
                [("id", uuid(readOnly: true)), ("name", string(minLength: 1, maxLength: 200, example: "Acme")), ("slug", string("Unique, URL-safe.", example: "acme"))]
            )),
            ("Membership", [.me], object(
                "An organization the user belongs to, and their role there.",
                [("organization", AccountPaths.ref("Organization")), ("role", AccountPaths.ref("Role"))]
            )),
            ("Me", [.me], object(
                "The caller: who they are, the organization their token acts in and their role there, and every membership.",
                [
                    ("user", AccountPaths.ref("User")),
                    ("organization", AccountPaths.ref("Organization")),
                    ("role", AccountPaths.ref("Role")),
                    ("memberships", ["type": "array", "items": AccountPaths.ref("Membership")]),
                ]
            )),
            ("MeResponse", [.me], envelope("Me")),
        ]
    }

    // MARK: - Building blocks

    /// An object schema that rejects unknown keys; every property is required unless `required` says otherwise.
    static func object(
        _ description: String, _ properties: [(String, Document)], required: [String]? = nil, example: Document? = nil
    ) -> Document {
        var entries: [(String, Document)] = [("type", "object"), ("description", .string(description))]
        let required = required ?? properties.map(\.0)
        if !required.isEmpty { entries.append(("required", .array(required.map { .string($0) }))) }
        entries.append(("additionalProperties", false))
        entries.append(("properties", .object(properties)))
        if let example { entries.append(("examples", [example])) }
        return .object(entries)
    }

    /// `{"data": <schema>}`.
    static func envelope(_ schema: String) -> Document {
        ["type": "object", "required": ["data"], "additionalProperties": false, "properties": ["data": AccountPaths.ref(schema)]]
    }

    /// `{"data": [<schema>]}`.
    static func list(_ schema: String) -> Document {
        [
            "type": "object", "required": ["data"], "additionalProperties": false,
            "properties": ["data": ["type": "array", "items": AccountPaths.ref(schema)]],
        ]
    }

    static func string(
        _ description: String? = nil, minLength: Int? = nil, maxLength: Int? = nil, readOnly: Bool = false, example: String? = nil
    ) -> Document {
        var entries: [(String, Document)] = [("type", "string")]
        if let description { entries.append(("description", .string(description))) }
        if let minLength { entries.append(("minLength", .integer(Int64(minLength)))) }
        if let maxLength { entries.append(("maxLength", .integer(Int64(maxLength)))) }
        entries.append(("pattern", .string(SchemaPattern.noNUL)))
        if readOnly { entries.append(("readOnly", true)) }
        if let example { entries.append(("examples", [.string(example)])) }
        return .object(entries)
    }

    static func uuid(_ description: String? = nil, readOnly: Bool = false) -> Document {
        var entries: [(String, Document)] = [("type", "string"), ("format", "uuid")]
        if let description { entries.insert(("description", .string(description)), at: 0) }
        if readOnly { entries.append(("readOnly", true)) }
        return .object(entries)
    }

    static func timestamp(_ description: String? = nil, nullable: Bool = false, readOnly: Bool = true) -> Document {
        var entries: [(String, Document)] = [("type", nullable ? ["string", "null"] : "string"), ("format", "date-time")]
        if let description { entries.insert(("description", .string(description)), at: 0) }
        if readOnly { entries.append(("readOnly", true)) }
        return .object(entries)
    }

    static let email: Document = ["type": "string", "format": "email", "maxLength": 254, "pattern": .string(SchemaPattern.noNUL)]

    /// A password being set: what the password policy accepts.
    static let newPassword: Document = [
        "type": "string", "format": "password", "minLength": 12, "maxLength": 128, "pattern": .string(SchemaPattern.noNUL),
        "writeOnly": true,
        "description": "12 to 128 characters, any Unicode but NUL; common passwords and ones containing the email are refused.",
    ]

    /// A password already set, checked against its hash: it met the policy in force when it was set,
    /// so only its presence and the policy's maximum are constrained.
    static func currentPassword(_ description: String) -> Document {
        [
            "type": "string", "format": "password", "minLength": 1, "maxLength": 128, "pattern": .string(SchemaPattern.noNUL),
            "writeOnly": true, "description": .string(description),
        ]
    }
}

/// Realistic values for the account endpoints' examples.
enum AccountExamples {
    static let accessToken = "eyJhbGciOiJIUzI1NiIsImtpZCI6Im1haW4iLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiIwMTkzYTVjOCJ9.2v4lZbX3nq2iNCRLmUm3dwQ"
    static let refreshToken = "Hq3wXo1m5RZb8y0dKf7TtAvL2cN9pE4sJ6gU1iO0aBk"
    static let apiKey = "sk_test_4f9aQ2xZ7bLm0NcR3tVy8WpE1sKd6HgJ5uIo2Aq"
}
