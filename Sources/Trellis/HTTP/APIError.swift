import HTTPTypes

/// An error the API reports to its client, rendered as the error envelope:
/// `{"error": {"code": ..., "message": ..., "details": {...}, "request_id": ...}}`.
///
/// Throw these from handlers and hooks; ``ErrorMiddleware`` turns them (and every other error)
/// into responses in one place.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable, machine-readable error codes of the API contract.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case validationError = "validation_error"
        case badRequest = "bad_request"
        case unauthorized
        case forbidden
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case conflict
        /// A request with the same `Idempotency-Key` is still being served.
        case idempotencyKeyInUse = "idempotency_key_in_use"
        /// The `Idempotency-Key` was used for another request (method, path or body).
        case idempotencyKeyReused = "idempotency_key_reused"
        case preconditionFailed = "precondition_failed"
        case preconditionRequired = "precondition_required"
        case payloadTooLarge = "payload_too_large"
        case unsupportedMediaType = "unsupported_media_type"
        case rateLimited = "rate_limited"
        case internalError = "internal_error"
        case unavailable
        /// 503: the database does not answer; retry after `Retry-After`.
        case databaseUnavailable = "database_unavailable"

        /// The HTTP status each code is sent with.
        public var status: HTTPResponse.Status {
            switch self {
            case .validationError: .unprocessableContent
            case .badRequest: .badRequest
            case .unauthorized: .unauthorized
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .conflict, .idempotencyKeyInUse: .conflict
            case .idempotencyKeyReused: .unprocessableContent
            case .preconditionFailed: .preconditionFailed
            case .preconditionRequired: .preconditionRequired
            case .payloadTooLarge: .contentTooLarge
            case .unsupportedMediaType: .unsupportedMediaType
            case .rateLimited: .tooManyRequests
            case .internalError: .internalServerError
            case .unavailable, .databaseUnavailable: .serviceUnavailable
            }
        }
    }

    public var code: Code
    public var message: String
    /// Per-field messages, keyed by the JSON name of the field.
    public var details: [String: [String]]
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`, ...).
    public var headers: HTTPFields

    public init(_ code: Code, _ message: String, details: [String: [String]] = [:], headers: HTTPFields = [:]) {
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public var status: HTTPResponse.Status { code.status }
    public var description: String { "\(code.rawValue): \(message)" }

    public static func notFound(_ what: String = "resource") -> APIError {
        APIError(.notFound, "The \(what) was not found.")
    }

    public static func validation(_ details: [String: [String]]) -> APIError {
        APIError(.validationError, "The request is invalid.", details: details)
    }

    public static let unauthorized = APIError(
        .unauthorized, "Authentication is required.", headers: [.wwwAuthenticate: "Bearer"]
    )

    /// 503 `database_unavailable` with `Retry-After: 1`: the database is down or unreachable.
    public static let databaseUnavailable = APIError(
        .databaseUnavailable, "The database is unavailable. Try again shortly.", headers: [.retryAfter: "1"]
    )

    public static let forbidden = APIError(.forbidden, "You are not allowed to do this.")

    /// 415: a body was read that is not labelled JSON (`Content-Type`).
    public static let unsupportedMediaType = APIError(
        .unsupportedMediaType, "The request body must be JSON: send Content-Type: application/json."
    )

    /// 405 with `Allow`: the path exists, but not with `method`. `allowed` are the methods it serves.
    public static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        let names = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return APIError(.methodNotAllowed, "This path does not serve \(method.rawValue); it serves \(names).", headers: [.allow: names])
    }

    /// 429 with `Retry-After`: "Too many `what`; try again in N seconds."
    public static func tooMany(_ what: String, retryAfter seconds: Int) -> APIError {
        APIError(.rateLimited, "Too many \(what); try again in \(seconds) seconds.", headers: [.retryAfter: String(seconds)])
    }
}
