/// The error responses every generated API shares, declared once under
/// `#/components/responses/<name>` and referenced by every operation that can answer them.
package enum ErrorResponse: String, Sendable, Hashable, CaseIterable {
    case badRequest = "BadRequest"
    case unauthorized = "Unauthorized"
    case forbidden = "Forbidden"
    case notFound = "NotFound"
    case methodNotAllowed = "MethodNotAllowed"
    case conflict = "Conflict"
    case idempotencyKeyInUse = "IdempotencyKeyInUse"
    case preconditionFailed = "PreconditionFailed"
    case payloadTooLarge = "PayloadTooLarge"
    case unsupportedMediaType = "UnsupportedMediaType"
    case validationFailed = "ValidationFailed"
    case idempotencyKeyReused = "IdempotencyKeyReused"
    case preconditionRequired = "PreconditionRequired"
    case rateLimited = "RateLimited"
    case internalError = "InternalError"
    case unavailable = "Unavailable"

    /// The component's name, `#/components/responses/<name>`.
    package var name: String { rawValue }

    /// The HTTP status, as OpenAPI keys a response.
    package var status: String {
        switch self {
        case .badRequest: "400"
        case .unauthorized: "401"
        case .forbidden: "403"
        case .notFound: "404"
        case .methodNotAllowed: "405"
        case .conflict, .idempotencyKeyInUse: "409"
        case .preconditionFailed: "412"
        case .preconditionRequired: "428"
        case .payloadTooLarge: "413"
        case .unsupportedMediaType: "415"
        case .validationFailed, .idempotencyKeyReused: "422"
        case .rateLimited: "429"
        case .internalError: "500"
        case .unavailable: "503"
        }
    }

    /// The `error.code` of the body.
    package var code: String {
        switch self {
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .conflict: "conflict"
        case .idempotencyKeyInUse: "idempotency_key_in_use"
        case .preconditionFailed: "precondition_failed"
        case .preconditionRequired: "precondition_required"
        case .payloadTooLarge: "payload_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .validationFailed: "validation_error"
        case .idempotencyKeyReused: "idempotency_key_reused"
        case .rateLimited: "rate_limited"
        case .internalError: "internal_error"
        case .unavailable: "unavailable"
        }
    }

    /// Every `error.code` a response of this kind may carry (the first is its example's).
    package var codes: [String] {
        switch self {
        case .unavailable: [code, "database_unavailable"]
        default: [code]
        }
    }

    /// The response's description and its example's message.
    package var message: String {
        switch self {
        case .badRequest: "The request body is not valid JSON."
        case .unauthorized: "Authentication is required."
        case .forbidden: "You are not allowed to do this."
        case .notFound: "The resource was not found."
        case .methodNotAllowed: "The path does not serve this method; `Allow` lists those it serves."
        case .conflict: "A record with the same value already exists."
        case .idempotencyKeyInUse: "A request with this Idempotency-Key is still being served: retry when it has finished."
        case .preconditionFailed: "The row is no longer at the version If-Match names: read it again and reapply the change."
        case .preconditionRequired: "This resource takes changes only with If-Match: send the ETag of the version you read."
        case .payloadTooLarge: "The request body is larger than 1 MiB."
        case .unsupportedMediaType: "The request body must be JSON: send Content-Type: application/json."
        case .validationFailed: "The request is invalid."
        case .idempotencyKeyReused: "This Idempotency-Key was sent with another request (method, path or body): use a new key for a new request."
        case .rateLimited: "Too many requests."
        case .internalError: "An unexpected error occurred."
        case .unavailable: "The service or its database is temporarily unavailable (`unavailable`, `database_unavailable`). Try again shortly."
        }
    }

    /// `{"$ref": "#/components/responses/<name>"}`.
    package var reference: Document {
        ["$ref": .string("#/components/responses/\(name)")]
    }
}
