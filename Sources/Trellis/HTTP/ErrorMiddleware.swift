import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import _ConnectionPoolModule

/// The one place where errors become responses: every error thrown below it is rendered as the
/// error envelope, with the request id, and never with internals (SQL, stack traces, type names).
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    let constraints: ConstraintCatalog
    /// Marked down when a request fails because the database is gone, so the next ones fail at once.
    let availability: DatabaseAvailability?

    public init(constraints: ConstraintCatalog = ConstraintCatalog(), availability: DatabaseAvailability? = nil) {
        self.constraints = constraints
        self.availability = availability
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = translate(error, logger: context.logger)
            return apiError.response(requestID: context.requestID)
        }
    }

    /// Maps any error to the API error a client may see.
    func translate(_ error: any Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ErrorWithHeaders:
            var translated = translate(error.underlying, logger: logger)
            for field in error.headers where translated.headers[field.name] == nil { translated.headers.append(field) }
            return translated
        case let error as ConnectionPoolError:
            logger.error("database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            if error != .requestCancelled { availability?.markDown() }
            return .databaseUnavailable
        case let error as HTTPError:
            return translate(httpError: error)
        case is NIOTooManyBytesError:
            return APIError(.payloadTooLarge, "The request body is larger than 1 MiB.")
        case let error as PSQLError:
            return translate(databaseError: error, logger: logger)
        case let error as PostgresTransactionError:
            if let underlying = error.closureError ?? error.commitError { return translate(underlying, logger: logger) }
            logger.error("transaction failed", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalError, "An unexpected error occurred.")
        default:
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return APIError(.internalError, "An unexpected error occurred.")
        }
    }

    private func translate(httpError error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: APIError(.notFound, "No route matches this path.")
        case .contentTooLarge: APIError(.payloadTooLarge, "The request body is larger than 1 MiB.")
        case .unauthorized: APIError.unauthorized
        case .forbidden: APIError.forbidden
        case .methodNotAllowed:
            APIError(.methodNotAllowed, "This path does not serve this method.", headers: error.headers[.allow].map { [.allow: $0] } ?? [:])
        case .unsupportedMediaType: APIError.unsupportedMediaType
        case .badRequest: APIError(.badRequest, "The request is malformed.")
        default:
            if error.status.code >= 500 {
                APIError(.internalError, "An unexpected error occurred.")
            } else {
                APIError(.badRequest, "The request could not be processed.")
            }
        }
    }

    private func translate(databaseError error: PSQLError, logger: Logger) -> APIError {
        guard error.code == .server, let info = error.serverInfo, let state = info[.sqlState] else {
            logger.error("database unavailable", metadata: ["error": "\(error.code)"])
            if error.code != .queryCancelled { availability?.markDown() }
            return .databaseUnavailable
        }
        // Class 08 (connection exception) and 57P01-57P03 (the server shutting down, crashed, starting).
        if state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state) {
            logger.error("database unavailable", metadata: ["sqlstate": "\(state)"])
            availability?.markDown()
            return .databaseUnavailable
        }
        let entry = info[.constraintName].flatMap { constraints[$0] }
        switch state {
        case "23505":  // unique_violation
            // A spec's `unique` field: the client can fix the value, as with any other rule.
            if let field = entry?.field { return .validation([field: ["is already taken"]]) }
            return APIError(.conflict, "A record with the same value already exists.")
        case "23503":  // foreign_key_violation
            if case .foreignKey(let table) = entry?.kind, let field = entry?.field {
                if info[.tableName] == table {
                    return .validation([field: ["does not exist"]])
                }
                return APIError(.conflict, "The record is still referenced by other records.", details: [table: ["still refer to it"]])
            }
            return APIError(.conflict, "The change conflicts with related records.")
        case "23502", "23514", "22001", "22003", "22P02", "22007", "22008":  // not null, check, too long, range, syntax
            return .validation([info[.columnName] ?? "body": ["is invalid"]])
        case "40001", "40P01":  // serialization failure, deadlock
            return APIError(.conflict, "The record was changed concurrently. Retry the request.")
        case "55P03", "57014":  // lock not available, statement timeout
            return APIError(.unavailable, "The service is busy. Try again shortly.", headers: [.retryAfter: "1"])
        default:
            logger.error("database error", metadata: ["sqlstate": "\(state)", "error": "\(String(reflecting: error))"])
            return APIError(.internalError, "An unexpected error occurred.")
        }
    }
}

extension APIError {
    /// The error envelope as a response.
    public func response(requestID: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeStaticString(#"{"error":{"code":"#)
        buffer.writeJSONString(code.rawValue)
        buffer.writeStaticString(#","message":"#)
        buffer.writeJSONString(message)
        if !details.isEmpty {
            buffer.writeStaticString(#","details":{"#)
            for (index, key) in details.keys.sorted().enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                buffer.writeJSONString(key)
                buffer.writeStaticString(":")
                buffer.writeJSON(details[key] ?? [])
            }
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString(#","request_id":"#)
        buffer.writeJSONString(requestID)
        buffer.writeStaticString("}}")
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: buffer))
    }
}
