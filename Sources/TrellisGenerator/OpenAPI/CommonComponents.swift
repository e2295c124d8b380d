/// Schemas, parameters and responses every generated API shares.
enum CommonComponents {
    static let errorCodes: [(name: String, status: String, code: String, message: String)] = [
        ("BadRequest", "400", "bad_request", "The request body is not valid JSON."),
        ("Unauthorized", "401", "unauthorized", "Authentication is required."),
        ("Forbidden", "403", "forbidden", "You are not allowed to do this."),
        ("NotFound", "404", "not_found", "The resource was not found."),
        ("MethodNotAllowed", "405", "method_not_allowed", "The path does not serve this method; `Allow` lists those it serves."),
        ("Conflict", "409", "conflict", "A record with the same value already exists."),
        ("PayloadTooLarge", "413", "payload_too_large", "The request body is larger than 1 MiB."),
        ("UnsupportedMediaType", "415", "unsupported_media_type", "The request body must be JSON: send Content-Type: application/json."),
        ("ValidationFailed", "422", "validation_error", "The request is invalid."),
        ("RateLimited", "429", "rate_limited", "Too many requests."),
        ("InternalError", "500", "internal_error", "An unexpected error occurred."),
        ("Unavailable", "503", "unavailable", "The service is temporarily unavailable. Try again shortly."),
    ]

    static var schemas: [(String, Document)] {
        [
            ("Error", [
                "type": "object",
                "description": "The error envelope every failed request answers with.",
                "required": ["error"],
                "additionalProperties": false,
                "properties": [
                    "error": [
                        "type": "object",
                        "required": ["code", "message", "request_id"],
                        "additionalProperties": false,
                        "properties": [
                            "code": ["type": "string", "enum": .array(errorCodes.map { .string($0.code) })],
                            "message": ["type": "string", "description": "A human-readable explanation."],
                            "details": [
                                "type": "object",
                                "description": "Per-field messages, keyed by the JSON name of the field.",
                                "additionalProperties": ["type": "array", "items": ["type": "string"]],
                            ],
                            "request_id": ["type": "string", "description": "The request's X-Request-ID."],
                        ],
                    ]
                ],
            ]),
            ("PageMeta", [
                "type": "object",
                "description": "Where a page sits in a cursor-paginated list.",
                "required": ["has_more", "next_cursor", "limit"],
                "additionalProperties": false,
                "properties": [
                    "has_more": ["type": "boolean", "description": "Whether another page follows."],
                    "next_cursor": [
                        "type": ["string", "null"],
                        "description": "Pass as `cursor` to get the next page; null on the last page.",
                    ],
                    "limit": ["type": "integer", "minimum": 1],
                    "total": ["type": "integer", "minimum": 0, "description": "Every matching row; only with `count=exact`."],
                ],
            ]),
            ("OffsetPageMeta", [
                "type": "object",
                "description": "Where a page sits in a numbered list (`pagination: { style: offset }`).",
                "required": ["has_more", "page", "per_page", "total"],
                "additionalProperties": false,
                "properties": [
                    "has_more": ["type": "boolean", "description": "Whether another page follows."],
                    "page": ["type": "integer", "minimum": 1],
                    "per_page": ["type": "integer", "minimum": 1],
                    "total": ["type": "integer", "minimum": 0, "description": "Every matching row."],
                ],
            ]),
            ("IncludedUser", [
                "type": "object",
                "description": "A member of the organization, as `include` embeds a ref to a user.",
                "required": ["id", "email", "name"],
                "additionalProperties": false,
                "properties": [
                    "id": ["type": "string", "format": "uuid"],
                    "email": ["type": "string"],
                    "name": ["type": "string"],
                ],
            ]),
        ]
    }

    static var parameters: Document {
        [
            "Cursor": [
                "name": "cursor", "in": "query", "required": false,
                "description": "The `next_cursor` of the previous page. An unusable cursor gives an empty page.",
                "schema": ["type": "string"],
            ],
            "ResourceID": [
                "name": "id", "in": "path", "required": true, "description": "The resource's id.",
                "schema": ["type": "string", "format": "uuid"],
            ],
            "RequestID": [
                "name": "X-Request-ID", "in": "header", "required": false,
                "description": "Echoed on the response; generated when absent.",
                "schema": ["type": "string", "maxLength": 128],
            ],
        ]
    }

    static var responses: Document {
        .object(errorCodes.map { entry in
            var response: [(String, Document)] = [("description", .string(entry.message))]
            if let headers = errorHeaders[entry.name] { response.append(("headers", headers)) }
            response.append(("content", ["application/json": [
                "schema": ["$ref": "#/components/schemas/Error"],
                "example": ["error": [
                    "code": .string(entry.code),
                    "message": .string(entry.message),
                    "request_id": "0193a5c8-7d2e-7000-8000-000000000001",
                ]],
            ]]))
            return (entry.name, .object(response))
        })
    }

    /// The headers an error response carries, by response name.
    static let errorHeaders: [String: Document] = [
        "MethodNotAllowed": ["Allow": [
            "description": "The methods the path serves, comma-separated.", "schema": ["type": "string"],
        ]],
        "RateLimited": ["Retry-After": [
            "description": "Seconds to wait before trying again.", "schema": ["type": "integer", "minimum": 1],
        ]],
    ]

    static func errorResponse(_ name: String) -> Document {
        ["$ref": .string("#/components/responses/\(name)")]
    }
}
