import TrellisOpenAPI
import TrellisVocabulary

/// Schemas of the organization-management groups: members, invitations and API keys.
extension AccountSchemas {
    // MARK: - Members

    static var memberSchemas: [Entry] {
        [
            ("Member", [.members], object(
                "A member of the organization.",
                [
                    ("user", object(
                        "The member's account.",
                        [("id", uuid(readOnly: true)), ("email", email), ("name", string(minLength: 1, maxLength: 200, example: "Ada Lovelace"))]
                    )),
                    ("role", AccountPaths.ref("Role")),
                    ("joined_at", timestamp("When the user joined the organization.")),
                ]
            )),
            ("MemberList", [.members], list("Member")),
            ("MemberResponse", [.members], envelope("Member")),
            ("MemberPatch", [.members], object("The body of a role change.", [("role", AccountPaths.ref("Role"))], example: ["role": "admin"])),
        ]
    }

    // MARK: - Invitations

    static var invitationSchemas: [Entry] {
        [
            ("Invitation", [.invitations], object(
                "A pending invitation to join the organization.",
                [
                    ("id", uuid(readOnly: true)),
                    ("email", email),
                    ("role", AccountPaths.ref("Role")),
                    ("invited_by", uuid("The id of the user who sent the invitation.", readOnly: true)),
                    ("expires_at", timestamp("After this the invitation's token no longer works.")),
                    ("created_at", timestamp()),
                ]
            )),
            ("InvitationCreate", [.invitations], object(
                "The body of a request that invites someone.", [("email", email), ("role", AccountPaths.ref("Role"))],
                example: ["email": "grace@example.com", "role": "member"]
            )),
            ("InvitationResponse", [.invitations], envelope("Invitation")),
            ("InvitationList", [.invitations], list("Invitation")),
            ("InvitationPreview", [.invitations], object(
                "What an invitation token offers, for the invitee to accept or decline.",
                [
                    ("organization", object(
                        "The organization the invitation is to.",
                        [("name", string(minLength: 1, maxLength: 200, example: "Acme")), ("slug", string(example: "acme"))]
                    )),
                    ("email", email),
                    ("role", AccountPaths.ref("Role")),
                    ("invited_by_name", string("The name of the user who sent the invitation.")),
                    ("expires_at", timestamp()),
                ]
            )),
            ("InvitationPreviewResponse", [.invitations], envelope("InvitationPreview")),
            ("InvitationAcceptance", [.invitations], object(
                "Sent only when the invited email has no account yet: the account to create.",
                [("name", string("The new user's display name.", minLength: 1, maxLength: 200, example: "Grace Hopper")), ("password", newPassword)],
                example: ["name": "Grace Hopper", "password": "correct horse battery staple"]
            )),
        ]
    }

    // MARK: - API keys

    static var apiKeySchemas: [Entry] {
        [
            ("ApiKeyScope", [.apiKeys], [
                "type": "string",
                "description": "`read:<resource>`, `write:<resource>`, or `*` for everything the key's organization allows.",
                "pattern": "^(\\*|(read|write):[a-z][a-z0-9_-]*)$",
                "examples": ["read:projects"],
            ]),
            ("ApiKey", [.apiKeys], object("An API key; its secret is never shown again after creation.", apiKeyProperties)),
            ("ApiKeyCreate", [.apiKeys], object(
                "The body of a request that creates an API key.",
                [
                    ("name", string("What the key is for.", minLength: 1, maxLength: 100, example: "CI deploys")),
                    ("scopes", scopes),
                    ("expires_at", [
                        "description": "When the key stops working; never when absent or null.", "type": ["string", "null"],
                        "format": "date-time",
                    ]),
                ],
                required: ["name", "scopes"], example: ["name": "CI deploys", "scopes": ["*"]]
            )),
            ("ApiKeyCreated", [.apiKeys], object(
                "A new API key, with its secret.",
                apiKeyProperties + [
                    ("key", string("The secret: send it as `Authorization: Bearer <key>`. Shown only in this response.", readOnly: true, example: AccountExamples.apiKey))
                ]
            )),
            ("ApiKeyCreatedResponse", [.apiKeys], envelope("ApiKeyCreated")),
            ("ApiKeyList", [.apiKeys], list("ApiKey")),
        ]
    }

    private static var scopes: Document {
        ["type": "array", "minItems": 1, "uniqueItems": true, "items": AccountPaths.ref("ApiKeyScope")]
    }

    private static var apiKeyProperties: [(String, Document)] {
        [
            ("id", uuid(readOnly: true)),
            ("name", string(minLength: 1, maxLength: 100, example: "CI deploys")),
            ("prefix", string("The first characters of the key, to recognize it by.", readOnly: true, example: String(AccountExamples.apiKey.prefix(16)))),
            ("scopes", scopes),
            ("expires_at", timestamp("When the key stops working; null when it never expires.", nullable: true, readOnly: false)),
            ("last_used_at", timestamp("Null until the key is first used.", nullable: true)),
            ("created_at", timestamp()),
            ("revoked_at", timestamp("Null unless the key was revoked.", nullable: true)),
        ]
    }
}

// MARK: - Audit logs

extension AccountSchemas {
    static var auditLogSchemas: [Entry] {
        let nullableUUID: (String) -> Document = { ["description": .string($0), "type": ["string", "null"], "format": "uuid"] }
        let nullableText: (String) -> Document = { ["description": .string($0), "type": ["string", "null"]] }
        return [
            ("AuditLog", [.auditLogs], object(
                "One entry of the audit trail: who did what, to which row, from where, and what changed.",
                [
                    ("id", uuid(readOnly: true)),
                    ("action", string("`<resource>.<created|updated|deleted|restored|action>`, or an account event (`login.failed`).", example: "task.updated")),
                    ("resource_type", nullableText("The kind of resource (`task`); null for account events.")),
                    ("resource_id", nullableUUID("The row; null for account events.")),
                    ("user_id", nullableUUID("Who acted (for an API key, the user who made it); null for the system.")),
                    ("api_key_id", nullableUUID("The API key that acted, if one did.")),
                    ("real_user_id", nullableUUID("Who really acted, when someone acted as another user.")),
                    ("subject_id", nullableUUID("The account an account event is about (the member whose role changed).")),
                    ("changes", [
                        "description": "Each changed field: `{\"before\": ..., \"after\": ...}` (only `after` for a create, only `before` for a delete); a sensitive field is `{\"changed\": true}`. Null for account events.",
                        "type": ["object", "null"],
                        "additionalProperties": ["type": "object"],
                    ]),
                    ("details", [
                        "description": "What else the entry records: a custom action's body, `{\"input\": {...}}`. Null for most entries.",
                        "type": ["object", "null"],
                    ]),
                    ("ip", nullableText("The client's address.")),
                    ("user_agent", nullableText("The client's `User-Agent`.")),
                    ("request_id", nullableText("The request's `X-Request-ID`.")),
                    ("created_at", timestamp()),
                ]
            )),
            ("AuditLogList", [.auditLogs], [
                "type": "object", "required": ["data", "meta"], "additionalProperties": false,
                "properties": ["data": ["type": "array", "items": AccountPaths.ref("AuditLog")], "meta": AccountPaths.ref("PageMeta")],
            ]),
        ]
    }
}
