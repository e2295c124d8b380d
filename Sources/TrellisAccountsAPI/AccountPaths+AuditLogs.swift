import TrellisOpenAPI

/// `/audit-logs`: the organization's audit trail, newest first, for owners and admins; as JSON
/// pages, or every matching row as CSV or NDJSON (`Accept`).
extension AccountPaths {
    static func auditLogPaths() -> [(String, Document)] {
        [
            item(
                operation(
                    .listAuditLogs, summary: "List the organization's audit trail, newest first.",
                    description: """
                        Every create, update, delete, restore and custom action on a resource, with the fields it changed \
                        (a sensitive field only as changed), and the account events (sign-ins, role changes, keys). \
                        Owners and admins only. Send `Accept: text/csv` or `Accept: application/x-ndjson` to export every \
                        matching row instead of a page (without `limit`). Rows are kept for 90 days unless configured otherwise.
                        """,
                    parameters: auditLogParameters,
                    success: ("200", [
                        "description": "A page of audit rows (JSON), or every matching row (CSV, NDJSON).",
                        "content": [
                            "application/json": ["schema": ref("AuditLogList")],
                            "text/csv": ["schema": ["type": "string"]],
                            "application/x-ndjson": ["schema": ["type": "string"]],
                        ],
                    ]),
                    failures: [
                        failure(.forbidden, "Only owners and admins read the audit trail."),
                        failure(.validationFailed, "A parameter is unknown, repeated or invalid."),
                    ]
                )
            )
        ]
    }

    private static var auditLogParameters: [Document] {
        [
            query("limit", "Page size (JSON only).", ["type": "integer", "minimum": 1, "maximum": 200, "default": 50]),
            ["$ref": "#/components/parameters/Cursor"],
            query("sort", "Newest first (`-created_at`, the default) or oldest first.", ["type": "string", "enum": ["-created_at", "created_at"]]),
            query("resource_type", "Only rows about this kind of resource (`task`).", ["type": "string", "pattern": "^[^\\u0000]*$"]),
            query("resource_id", "Only rows about this row.", ["type": "string", "format": "uuid"]),
            query("user_id", "Only what this user did (`me` for the caller).", ["type": "string", "pattern": "^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"]),
            query("api_key_id", "Only what this API key did.", ["type": "string", "format": "uuid"]),
            query("action", "Only this action (`task.updated`, `login.failed`).", ["type": "string", "pattern": "^[^\\u0000]*$"]),
            query("action__starts_with", "Only actions starting with the text (`task.`).", ["type": "string", "minLength": 1, "pattern": "^[^\\u0000]*$"]),
            query("created_at__gte", "Only rows written at or after this time.", ["type": "string", "format": "date-time"]),
            query("created_at__lt", "Only rows written before this time.", ["type": "string", "format": "date-time"]),
        ]
    }

    private static func query(_ name: String, _ description: String, _ schema: Document) -> Document {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
    }
}
