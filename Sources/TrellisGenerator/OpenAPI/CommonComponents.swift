import TrellisOpenAPI

/// Schemas, parameters and responses every generated API shares; the error responses are
/// those of ``ErrorResponse``.
enum CommonComponents {
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
                            "code": ["type": "string", "enum": .array(ErrorResponse.allCases.flatMap(\.codes).map { .string($0) })],
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
            "IfMatch": ifMatch(required: false),
            "IfMatchRequired": ifMatch(required: true),
            "IfNoneMatch": [
                "name": "If-None-Match", "in": "header", "required": false,
                "description": "The `ETag` of the version the client holds: 304, without a body, while it is current.",
                "schema": ["type": "string"], "example": "\"3\"",
            ],
            "IdempotencyKey": [
                "name": "Idempotency-Key", "in": "header", "required": false,
                "description": """
                    Makes the request safe to retry: a 2xx answer is stored with the change it made and replayed, \
                    with `Idempotent-Replayed: true`, for the same key until it expires (24 hours by default). The same key while the first \
                    request is served answers 409; with another method, path or body, 422. Errors are not stored, so a \
                    corrected retry runs; nor are answers that carry credentials. Keys belong to the caller (the \
                    organization and the user or API key).
                    """,
                "schema": ["type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$"],
                "example": "7d0f3f5e-4c1a-4f7e-9a57-2f2b8f0c6d11",
            ],
        ]
    }

    private static func ifMatch(required: Bool) -> Document {
        [
            "name": "If-Match", "in": "header", "required": .bool(required),
            "description": .string(
                "The `ETag` of the version the change is based on: 412 when the row has changed since"
                    + (required ? " (428 without it)." : ".")
            ),
            "schema": ["type": "string"], "example": "\"3\"",
        ]
    }

    /// Response headers several operations answer.
    static var headers: Document {
        [
            "ETag": [
                "description": "The row's version, quoted (`\"3\"`): send it back in `If-Match` to change this version only, or in `If-None-Match` to read it again only when it changed.",
                "schema": ["type": "string"],
            ]
        ]
    }

    static var responses: Document {
        .object(ErrorResponse.allCases.map { entry in
            var response: [(String, Document)] = [("description", .string(entry.message))]
            if let headers = errorHeaders[entry] { response.append(("headers", headers)) }
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

    /// The headers an error response carries.
    static let errorHeaders: [ErrorResponse: Document] = [
        .methodNotAllowed: ["Allow": [
            "description": "The methods the path serves, comma-separated.", "schema": ["type": "string"],
        ]],
        .rateLimited: [
            "Retry-After": ["description": "Seconds to wait before trying again.", "schema": ["type": "integer", "minimum": 1]],
            "RateLimit-Limit": ["description": "Requests allowed in the window (every `/api/v1` answer carries it).", "schema": ["type": "integer"]],
            "RateLimit-Remaining": ["description": "Requests left in the window.", "schema": ["type": "integer", "minimum": 0]],
            "RateLimit-Reset": ["description": "Seconds until the window ends.", "schema": ["type": "integer", "minimum": 1]],
        ],
        .preconditionFailed: ["ETag": ["$ref": "#/components/headers/ETag"]],
    ]
}
