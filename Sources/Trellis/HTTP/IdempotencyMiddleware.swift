import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO

extension HTTPField.Name {
    /// `Idempotency-Key`: the client's name for one request it may send more than once.
    public static let idempotencyKey = Self("Idempotency-Key")!
    /// `Idempotent-Replayed: true`: the answer is the stored answer to an earlier request.
    public static let idempotentReplayed = Self("Idempotent-Replayed")!
}

/// Makes a POST, PUT, PATCH or DELETE sent with an `Idempotency-Key` safe to retry, with Stripe's
/// semantics.
///
/// The request runs in one transaction (``RequestTransaction``; the routes' own transactions
/// become savepoints of it). It first takes a transaction-level advisory lock on the caller and
/// key, so a second request with the key while the first is served answers 409
/// `idempotency_key_in_use`, and a request that dies frees its key with its connection. A stored
/// answer for the key is replayed, with `Idempotent-Replayed: true`, when the method, the path and
/// the body are the same (422 `idempotency_key_reused` otherwise). Else the route runs and a 2xx
/// answer is stored in the same transaction as the change, so either both commit or neither does.
/// A route that fails leaves nothing: what it wrote in the request's transaction is rolled back
/// and no answer is stored, so a corrected retry runs. Answers their route marks
/// `Cache-Control: no-store` (``Response/credentials(_:status:)``: tokens and new API keys, never
/// kept in the clear) and answers over 1 MiB or of unknown length are not stored either; their
/// change still commits.
///
/// The key is scoped to the caller: the organization and the user or API key. A request without
/// credentials (sign-in, sign-up, accepting an invitation) runs as if it had no key: its answers
/// carry credentials, which are never stored, and it must not hold a connection while its password
/// is hashed. Keys expire after ``ttl``; ``RetentionSweeper`` deletes them.
///
/// At most ``maxInFlight`` keyed requests hold a connection at once; more wait their turn, so the
/// pool always keeps connections for the statements a keyed request runs outside its transaction
/// (rate-limit counters, reads by id) and for every other request.
public struct IdempotencyMiddleware: RouterMiddleware {
    public typealias Context = TrellisRequestContext

    let database: Database
    /// How long an answer is replayed (24 hours by default).
    let ttl: Duration
    /// Keyed requests holding a connection at once: keep it under half the pool.
    let maxInFlight: Int
    private let slots: AsyncSlots

    /// Keys are 1 to 255 visible ASCII characters (a UUID is the usual choice).
    static let maxKeyLength = 255
    /// The largest answer stored for replay.
    static let maxStoredBody = 1 << 20
    /// The answer headers a replay repeats; the rest (request id, security headers) are the replay's own.
    static let storedHeaders: [HTTPField.Name] = [.contentType, .location, .eTag]

    public init(database: Database, ttl: Duration = .seconds(24 * 3600), maxInFlight: Int = 8) {
        self.database = database
        self.ttl = ttl
        self.maxInFlight = maxInFlight
        self.slots = AsyncSlots(maxInFlight)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let values = request.headers[values: .idempotencyKey]
        guard !values.isEmpty, [.post, .put, .patch, .delete].contains(request.method) else {
            return try await next(request, context)
        }
        guard values.count == 1, let key = values.first, Self.isValid(key) else {
            throw APIError.validation([
                "Idempotency-Key": ["must be sent once, as 1 to \(Self.maxKeyLength) visible ASCII characters (a UUID, say)"]
            ])
        }
        guard let principal = context.principal else { return try await next(request, context) }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let fingerprint = Self.fingerprint(method: request.method, path: request.uri.description, body: body)
        let scope = Self.scope(of: principal)
        try await slots.acquire()
        defer { slots.release() }
        return try await database.client.withConnection { connection in
            try await serve(request, key: key, scope: scope, fingerprint: fingerprint, on: connection, context: context, next: next)
        }
    }

    /// On `connection`: 409 while another request holds the key, the stored answer when there is
    /// one, else the route's answer, stored with its change when it succeeded.
    private func serve(
        isolation: isolated (any Actor)? = #isolation, _ request: Request, key: String, scope: String, fingerprint: [UInt8],
        on connection: PostgresConnection, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let logger = context.logger
        try await connection.query("BEGIN", logger: logger)
        do {
            let lockName = "idempotency \(scope) \(key)"
            let locked = try await connection.query(
                "SELECT pg_try_advisory_xact_lock(hashtextextended(\(lockName), 0))", logger: logger
            ).collect().first?.decode(Bool.self)
            guard locked == true else {
                throw APIError(.idempotencyKeyInUse, "A request with this Idempotency-Key is still being served: retry when it has finished.")
            }
            if let replay = try await storedAnswer(key: key, scope: scope, fingerprint: fingerprint, on: connection, logger: logger) {
                try await connection.query("COMMIT", logger: logger)
                return replay
            }
            try await connection.query("SAVEPOINT trellis_request", logger: logger)
        } catch {
            try await Self.end(connection, with: "ROLLBACK", logger: logger)
            throw error
        }

        let transaction = RequestTransaction(connection: connection)
        let response: Response
        do {
            response = try await Database.$requestTransaction.withValue(transaction) { try await next(request, context) }
            transaction.end()
        } catch {
            // The route failed: nothing it wrote in the request's transaction stays.
            transaction.end()
            try await Self.end(connection, with: "ROLLBACK", logger: logger)
            throw error
        }
        do {
            if (200..<300).contains(response.status.code), response.headers[.cacheControl]?.contains("no-store") != true,
                let length = response.body.contentLength, length <= Self.maxStoredBody
            {
                let body = try await Self.collect(response.body)
                try await store(response, body: body, key: key, scope: scope, fingerprint: fingerprint, on: connection, logger: logger)
                try await connection.query("COMMIT", logger: logger)
                var answered = response
                answered.body = ResponseBody(byteBuffer: body)
                return answered
            }
            try await connection.query("COMMIT", logger: logger)
            return response
        } catch {
            try await Self.end(connection, with: "ROLLBACK", logger: logger)
            throw error
        }
    }

    /// The stored answer for the key, replayed; 422 when it answered another request.
    private func storedAnswer(
        key: String, scope: String, fingerprint: [UInt8], on connection: PostgresConnection, logger: Logger
    ) async throws -> Response? {
        let stored = try await connection.query(
            """
            SELECT fingerprint, status, headers, body FROM idempotency_keys
            WHERE scope = \(scope) AND key = \(key) AND expires_at > now()
            """,
            logger: logger
        ).collect().first
        guard let stored else { return nil }
        let (storedFingerprint, status, headers, body) = try stored.decode((ByteBuffer, Int16, JSONValue, ByteBuffer).self)
        guard storedFingerprint.readableBytesView.elementsEqual(fingerprint) else {
            throw APIError(
                .idempotencyKeyReused,
                "This Idempotency-Key was sent with another request (method, path or body): use a new key for a new request."
            )
        }
        return Self.replay(status: Int(status), headers: headers, body: body)
    }

    private func store(
        _ response: Response, body: ByteBuffer, key: String, scope: String, fingerprint: [UInt8], on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let kept = JSONValue.array(Self.storedHeaders.compactMap { name -> JSONValue? in
            guard let value = response.headers[name] else { return nil }
            return .array([.string(name.canonicalName), .string(value)])
        })
        let seconds = Int64(ttl.components.seconds)
        try await connection.query(
            """
            INSERT INTO idempotency_keys (scope, key, fingerprint, status, headers, body, expires_at)
            VALUES (\(scope), \(key), \(ByteBuffer(bytes: fingerprint)), \(Int16(response.status.code)), \(kept), \(body), now() + make_interval(secs => \(seconds)))
            ON CONFLICT (scope, key) DO UPDATE SET
                fingerprint = excluded.fingerprint, status = excluded.status, headers = excluded.headers, body = excluded.body,
                created_at = excluded.created_at, expires_at = excluded.expires_at
            """,
            logger: logger
        )
    }

    /// Ends the transaction with `statement`; a connection whose transaction cannot be ended is
    /// closed rather than returned to the pool still inside it (holding the key's lock).
    private static func end(_ connection: PostgresConnection, with statement: String, logger: Logger) async throws {
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        } catch {
            try? await connection.close()
        }
    }

    static func isValid(_ key: String) -> Bool {
        (1...maxKeyLength).contains(key.utf8.count) && key.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// SHA-256 of the method, the path with its query, and the body.
    static func fingerprint(method: HTTPRequest.Method, path: String, body: ByteBuffer) -> [UInt8] {
        var hash = SHA256()
        hash.update(data: Array("\(method.rawValue) \(path)\n".utf8))
        body.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
        return Array(hash.finalize())
    }

    /// Whose keys these are: the organization and the user or API key.
    static func scope(of principal: Principal) -> String {
        let org = principal.orgID.lowercasedString
        if let key = principal.apiKeyID { return "org \(org) api-key \(key.lowercasedString)" }
        return "org \(org) user \(principal.userID.lowercasedString)"
    }

    static func replay(status: Int, headers: JSONValue, body: ByteBuffer) -> Response {
        var fields = HTTPFields()
        if case .array(let pairs) = headers {
            for case .array(let pair) in pairs {
                guard pair.count == 2, case .string(let name) = pair[0], case .string(let value) = pair[1],
                    let fieldName = HTTPField.Name(name)
                else { continue }
                fields[fieldName] = value
            }
        }
        fields[.idempotentReplayed] = "true"
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: body))
    }

    /// The bytes of a response body the route already produced (JSON, small).
    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let collector = BodyCollector()
        try await body.write(collector)
        return collector.buffer
    }
}

/// Receives a response body's bytes instead of the socket.
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

