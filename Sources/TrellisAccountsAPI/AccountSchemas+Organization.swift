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

// MARK: - Webhook endpoints

extension AccountSchemas {
    static var webhookSchemas: [Entry] {
        let url: Document = [
            "type": "string", "format": "uri", "minLength": 1, "maxLength": 2048, "pattern": "^https?://[^/?#@\\s]+([/?#][^\\s]*)?$",
            "description": "Where deliveries are POSTed: https, resolving to a public address (http and private addresses only in development).",
            "examples": ["https://example.com/webhooks/trellis"],
        ]
        let description = string("What the endpoint is for.", minLength: 0, maxLength: 500, example: "Sync tasks to our warehouse")
        let eventTypes: Document = [
            "type": "array", "minItems": 1, "maxItems": 100, "uniqueItems": true,
            "description": "The event types sent (`task.created`, `task.updated`, `task.deleted`, `task.restored`, `project.archive`, ...), or `[\"*\"]` for all.",
            "items": ["type": "string", "pattern": "^(\\*|[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*)$"],
            "examples": [["task.updated", "task.created"]],
        ]
        let endpointProperties: [(String, Document)] = [
            ("id", uuid(readOnly: true)), ("url", url), ("description", description), ("event_types", eventTypes),
            ("enabled", ["type": "boolean", "description": "Whether events are sent to it."]),
            ("disabled_reason", ["type": ["string", "null"], "readOnly": true, "description": "Why the server disabled it (failing for three days); null otherwise."]),
            ("failing_since", timestamp("The first failure since the last success; null when the last delivery succeeded.", nullable: true)),
            ("created_at", timestamp()), ("updated_at", timestamp()),
        ]
        let nullableInteger: (String) -> Document = { ["type": ["integer", "null"], "description": .string($0)] }
        let nullableText: (String) -> Document = { ["type": ["string", "null"], "description": .string($0)] }
        return [
            ("WebhookEndpoint", [.webhookEndpoints], object("A webhook endpoint; its secret is never shown again after creation.", endpointProperties)),
            ("WebhookEndpointCreate", [.webhookEndpoints], object(
                "The body of a request that creates a webhook endpoint.",
                [("url", url), ("description", description), ("event_types", eventTypes), ("enabled", ["type": "boolean", "default": true])],
                required: ["url"], example: ["url": "https://example.com/webhooks/trellis", "event_types": ["task.updated"]]
            )),
            ("WebhookEndpointUpdate", [.webhookEndpoints], object(
                "The fields to change; the others stay as they are.",
                [("url", url), ("description", description), ("event_types", eventTypes), ("enabled", ["type": "boolean"])],
                required: [], example: ["enabled": true]
            )),
            ("WebhookEndpointCreated", [.webhookEndpoints], object(
                "A new webhook endpoint, with its signing secret.",
                endpointProperties + [
                    ("secret", string("Signs every delivery (HMAC-SHA256). Shown only in this response.", readOnly: true, example: "whsec_Hq3wXo1m5RZb8y0dKf7TtAvL2cN9pE4sJ6gU1iO0aBk"))
                ]
            )),
            ("WebhookEndpointCreatedResponse", [.webhookEndpoints], envelope("WebhookEndpointCreated")),
            ("WebhookEndpointResponse", [.webhookEndpoints], envelope("WebhookEndpoint")),
            ("WebhookEndpointList", [.webhookEndpoints], list("WebhookEndpoint")),
            ("WebhookDelivery", [.webhookEndpoints], object(
                "One event sent to one endpoint, and how its latest attempt went.",
                [
                    ("id", uuid(readOnly: true)), ("endpoint_id", uuid(readOnly: true)), ("event_id", uuid("The event's id, sent as `X-Webhook-Id`.", readOnly: true)),
                    ("event_type", string("Sent as `X-Webhook-Event`.", readOnly: true, example: "task.updated")),
                    ("status", ["type": "string", "enum": ["pending", "succeeded", "failed"], "readOnly": true,
                                "description": "pending while attempts remain (retried 1 min, 5 min, 30 min, 2 h and 24 h after failures), then succeeded or failed."]),
                    ("attempts", ["type": "integer", "minimum": 0, "readOnly": true]),
                    ("response_status", nullableInteger("The HTTP status of the latest answer; null before the first, or when none came.")),
                    ("response_body", nullableText("The first 1 KB of the latest answer.")),
                    ("error", nullableText("Why the latest attempt got no answer (timeout, refused URL), if so.")),
                    ("next_attempt_at", timestamp("When it is tried next; null once it succeeded or failed.", nullable: true)),
                    ("created_at", timestamp()), ("completed_at", timestamp("When it succeeded or failed for good.", nullable: true)),
                ]
            )),
            ("WebhookDeliveryResponse", [.webhookEndpoints], envelope("WebhookDelivery")),
            ("WebhookDeliveryList", [.webhookEndpoints], [
                "type": "object", "required": ["data", "meta"], "additionalProperties": false,
                "properties": ["data": ["type": "array", "items": AccountPaths.ref("WebhookDelivery")], "meta": AccountPaths.ref("PageMeta")],
            ]),
        ]
    }
}

// MARK: - Platform administration

extension AccountSchemas {
    static var adminSchemas: [Entry] {
        let nullableText: (String) -> Document = { ["type": ["string", "null"], "description": .string($0)] }
        return [
            ("Job", [.admin], object(
                "A background job.",
                [
                    ("id", ["type": "integer", "readOnly": true]), ("queue", string(example: "mailers")), ("kind", string(example: "trellis.send_email")),
                    ("state", ["type": "string", "enum": ["pending", "running", "completed", "discarded"]]),
                    ("attempts", ["type": "integer", "minimum": 0]), ("max_attempts", ["type": "integer", "minimum": 1]),
                    ("run_at", timestamp("When it runs (next).")), ("last_error", nullableText("Why its last attempt failed.")),
                    ("args", ["type": "object", "description": "Its arguments."]),
                    ("created_at", timestamp()), ("finished_at", timestamp("When it completed or was discarded.", nullable: true)),
                ]
            )),
            ("JobResponse", [.admin], envelope("Job")),
            ("JobList", [.admin], list("Job")),
            ("WebhookEvent", [.admin], object(
                "A webhook received from another service (`POST /webhooks/{source}`).",
                [
                    ("id", ["type": "integer", "readOnly": true]), ("source", string(example: "stripe")), ("event_id", string(example: "evt_1N2b3C")),
                    ("event_type", nullableText("The event's type, when the source says it.")),
                    ("status", ["type": "string", "enum": ["received", "processed", "failed"]]),
                    ("attempts", ["type": "integer", "minimum": 0]), ("last_error", nullableText("Why its processing last failed.")),
                    ("received_at", timestamp()), ("processed_at", timestamp("When its handler succeeded.", nullable: true)),
                    ("payload", string("The body as received.")),
                ]
            )),
            ("WebhookEventResponse", [.admin], envelope("WebhookEvent")),
            ("WebhookEventList", [.admin], list("WebhookEvent")),
        ]
    }
}
