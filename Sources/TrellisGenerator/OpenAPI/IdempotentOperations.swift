import TrellisOpenAPI

/// Every POST, PUT, PATCH and DELETE under `/api/v1` takes an `Idempotency-Key` (the runtime's
/// `IdempotencyMiddleware` serves them all, generated and built-in alike): each such operation
/// lists the header and its 409 (the key is in use; a 409 the operation already answers stands).
enum IdempotentOperations {
    static let methods: Set<String> = ["post", "put", "patch", "delete"]

    static func documenting(_ paths: [(String, Document)]) -> [(String, Document)] {
        paths.map { path, item in
            guard path.hasPrefix("/api/v1/"), case .object(let entries) = item else { return (path, item) }
            return (path, .object(entries.map { method, operation in
                methods.contains(method) ? (method, documenting(operation)) : (method, operation)
            }))
        }
    }

    private static func documenting(_ operation: Document) -> Document {
        guard case .object(var entries) = operation else { return operation }
        let parameter: Document = ["$ref": "#/components/parameters/IdempotencyKey"]
        if let index = entries.firstIndex(where: { $0.0 == "parameters" }), case .array(let parameters) = entries[index].1 {
            entries[index].1 = .array(parameters + [parameter])
        } else {
            let before = entries.firstIndex { $0.0 == "requestBody" || $0.0 == "responses" } ?? entries.endIndex
            entries.insert(("parameters", [parameter]), at: before)
        }
        return Document.object(entries).addingResponse(.idempotencyKeyInUse)
    }
}

/// Every operation under `/api/v1` is rate limited (the runtime's `APIRateLimitMiddleware`): each
/// lists the 429 with its `Retry-After` and `RateLimit-*` headers.
enum RateLimitedOperations {
    static func documenting(_ paths: [(String, Document)]) -> [(String, Document)] {
        paths.map { path, item in
            guard path.hasPrefix("/api/v1/"), case .object(let entries) = item else { return (path, item) }
            return (path, .object(entries.map { method, operation in
                method == "parameters" ? (method, operation) : (method, operation.addingResponse(.rateLimited))
            }))
        }
    }
}

extension Document {
    /// An operation with `error` among its responses, in status order; a response it already has
    /// for that status stands.
    func addingResponse(_ error: ErrorResponse) -> Document {
        guard case .object(var entries) = self, let index = entries.firstIndex(where: { $0.0 == "responses" }),
            case .object(var codes) = entries[index].1, !codes.contains(where: { $0.0 == error.status })
        else { return self }
        let position = codes.firstIndex { $0.0 > error.status } ?? codes.endIndex
        codes.insert((error.status, error.reference), at: position)
        entries[index].1 = .object(codes)
        return .object(entries)
    }
}
