import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// `/auth/...`: sign-up, sign-in, refresh-token rotation, logout, organization switch and
/// password change.
///
/// Passwords are hashed with argon2id on a thread pool. Unknown email and wrong password answer
/// alike, after the same work (a dummy hash is verified for unknown emails). Sign-in is throttled
/// per IP and per account. Every event lands in the audit trail; no password or token is ever
/// logged or stored in clear.
public struct AuthRoutes: Sendable {
    public let database: Database
    public let sessions: SessionTokens
    public let hasher: PasswordHasher
    public let throttle: RateLimiter

    public init(database: Database, sessions: SessionTokens, hasher: PasswordHasher, throttle: RateLimiter) {
        self.database = database
        self.sessions = sessions
        self.hasher = hasher
        self.throttle = throttle
    }

    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.post("auth/signup") { request, context in try await signup(request, context) }
        group.post("auth/login") { request, context in try await login(request, context) }
        group.post("auth/refresh") { request, context in try await refresh(request, context) }
        group.delete("auth/logout") { request, context in try await logout(request, context, all: false) }
        group.post("auth/logout-all") { request, context in try await logout(request, context, all: true) }
        group.post("auth/switch-org") { request, context in try await switchOrganization(request, context) }
        group.post("auth/password") { request, context in try await changePassword(request, context) }
    }

    // MARK: - Sign-up and sign-in

    func signup(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        var input = InputReader(
            try await request.jsonObject(context: context), fields: ["email", "password", "name", "organization_name"], serverOwned: []
        )
        let emailText = input.read("email", as: String.self, required: true)
        let password = input.read("password", as: String.self, required: true)
        let name = input.read("name", as: String.self, required: true, check: .length(min: 1, max: 200))
        let organizationName = input.read("organization_name", as: String.self, required: true, check: .length(min: 1, max: 200))
        let email = emailText.flatMap(EmailAddress.init)
        if emailText != nil && email == nil { input.reject("email", StringFormat.email.message) }
        if let password {
            for problem in PasswordPolicy.problems(with: password, email: email?.value) { input.reject("password", problem) }
        }
        try input.finish()
        guard let email, let password, let name, let organizationName else { throw input.failure() }

        let hash = try await hasher.hash(password)
        let origin = RequestOrigin(request, context: context)
        let userID = UUID.v7()
        let orgID = UUID.v7()
        let pair = try await database.transaction(logger: context.logger) { connection in
            let taken = try await first(
                connection.query("SELECT 1::int4 FROM users WHERE lower(email) = \(email.value)", logger: context.logger).decode(Int32.self)
            )
            guard taken == nil else {
                throw APIError(.conflict, "An account with this email already exists; sign in instead.", details: ["email": ["is already registered"]])
            }
            try await connection.query(
                "INSERT INTO users (id, email, name, password_hash) VALUES (\(userID), \(email.value), \(name), \(hash))",
                logger: context.logger
            )
            let slug = try await Organizations.availableSlug(for: organizationName, id: orgID, on: connection, logger: context.logger)
            try await connection.query(
                "INSERT INTO organizations (id, name, slug) VALUES (\(orgID), \(organizationName), \(slug))", logger: context.logger
            )
            try await connection.query(
                "INSERT INTO memberships (org_id, user_id, role) VALUES (\(orgID), \(userID), 'owner')", logger: context.logger
            )
            try await AuditLog.record(.signup, userID: userID, orgID: orgID, origin: origin, on: connection, logger: context.logger)
            return try await sessions.start(userID: userID, orgID: orgID, role: .owner, origin: origin, on: connection, logger: context.logger)
        }
        return Response.data(pair, status: .created)
    }

    func login(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        var input = InputReader(try await request.jsonObject(context: context), fields: ["email", "password"], serverOwned: [])
        let emailText = input.read("email", as: String.self, required: true)
        let password = input.read("password", as: String.self, required: true)
        try input.finish()
        guard let emailText, let password else { throw input.failure() }
        let email = EmailAddress(emailText)?.value ?? emailText.lowercased()
        let origin = RequestOrigin(request, context: context)

        if let retryAfter = try await throttle.hit(["login:ip:\(origin.ip ?? "unknown")", "login:email:\(email)"], logger: context.logger) {
            try await database.client.withConnection { connection in
                try await AuditLog.record(.loginThrottled, origin: origin, on: connection, logger: context.logger)
            }
            throw APIError(
                .rateLimited, "Too many sign-in attempts; try again in \(retryAfter) seconds.",
                headers: [.retryAfter: String(retryAfter)]
            )
        }

        let account = try await database.client.withConnection { connection in
            try await first(
                connection.query("SELECT id, password_hash FROM users WHERE lower(email) = \(email)", logger: context.logger)
                    .decode((UUID, String?).self)
            )
        }
        // Unknown emails verify against a dummy hash, so both failures take the same time.
        let storedHash: String
        if let hash = account?.1 { storedHash = hash } else { storedHash = try await Self.dummyHash(hasher) }
        let verified = try await hasher.verify(password, against: storedHash)
        let membership: (UUID, Role)?
        if let (userID, hash) = account, hash != nil, verified {
            membership = try await database.client.withConnection { connection in
                try await Memberships.defaultOrganization(of: userID, on: connection, logger: context.logger)
            }
        } else {
            membership = nil
        }
        guard let userID = account?.0, verified, let (orgID, role) = membership else {
            try await database.client.withConnection { connection in
                try await AuditLog.record(.loginFailed, userID: account?.0, origin: origin, on: connection, logger: context.logger)
            }
            if verified && account != nil {
                throw APIError(.forbidden, "This account is not a member of any organization; accept an invitation first.")
            }
            throw APIError(.unauthorized, "The email or password is incorrect.")
        }
        let pair = try await database.transaction(logger: context.logger) { connection in
            try await AuditLog.record(.loginSucceeded, userID: userID, orgID: orgID, origin: origin, on: connection, logger: context.logger)
            return try await sessions.start(userID: userID, orgID: orgID, role: role, origin: origin, on: connection, logger: context.logger)
        }
        return Response.data(pair)
    }

    private static let dummyHashes = DummyHashes()

    static func dummyHash(_ hasher: PasswordHasher) async throws -> String {
        try await dummyHashes.hash(for: hasher)
    }

    // MARK: - Tokens and sessions

    func refresh(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        var input = InputReader(try await request.jsonObject(context: context), fields: ["refresh_token"], serverOwned: [])
        let token = input.read("refresh_token", as: String.self, required: true)
        try input.finish()
        guard let token else { throw input.failure() }
        let origin = RequestOrigin(request, context: context)
        let rotation = try await database.transaction(logger: context.logger) { connection in
            let rotation = try await sessions.rotate(token, on: connection, logger: context.logger)
            if case .reused(let userID, let orgID, let sessionID) = rotation {
                try await AuditLog.record(
                    .refreshReused, userID: userID, orgID: orgID, subjectID: sessionID, origin: origin, on: connection, logger: context.logger
                )
            }
            return rotation
        }
        guard case .rotated(let pair, _) = rotation else { throw APIError.unauthorized }
        return Response.data(pair)
    }

    func logout(_ request: Request, _ context: TrellisRequestContext, all: Bool) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let sessionID = principal.sessionID else { throw APIError(.forbidden, "Only a signed-in session can log out.") }
        let origin = RequestOrigin(request, context: context)
        try await database.transaction(logger: context.logger) { connection in
            if all {
                try await sessions.revokeAll(userID: principal.userID, on: connection, logger: context.logger)
            } else {
                try await sessions.revoke(sessionID: sessionID, on: connection, logger: context.logger)
            }
            try await AuditLog.record(
                all ? .logoutAll : .logout, userID: principal.userID, orgID: principal.orgID, subjectID: sessionID, origin: origin,
                on: connection, logger: context.logger
            )
        }
        return Response(status: .noContent)
    }

    func switchOrganization(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let sessionID = principal.sessionID else { throw APIError(.forbidden, "Only a signed-in session can switch organizations.") }
        var input = InputReader(try await request.jsonObject(context: context), fields: ["org_id"], serverOwned: [])
        let orgID = input.read("org_id", as: UUID.self, required: true)
        try input.finish()
        guard let orgID else { throw input.failure() }
        let origin = RequestOrigin(request, context: context)
        let pair = try await database.transaction(logger: context.logger) { connection in
            guard let role = try await Memberships.role(of: principal.userID, in: orgID, on: connection, logger: context.logger) else {
                throw APIError(.forbidden, "You are not a member of that organization.")
            }
            try await sessions.revoke(sessionID: sessionID, on: connection, logger: context.logger)
            try await AuditLog.record(
                .orgSwitched, userID: principal.userID, orgID: orgID, subjectID: principal.orgID, origin: origin, on: connection,
                logger: context.logger
            )
            return try await sessions.start(userID: principal.userID, orgID: orgID, role: role, origin: origin, on: connection, logger: context.logger)
        }
        return Response.data(pair)
    }

    func changePassword(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var input = InputReader(try await request.jsonObject(context: context), fields: ["current_password", "new_password"], serverOwned: [])
        let current = input.read("current_password", as: String.self, required: true)
        let new = input.read("new_password", as: String.self, required: true)
        try input.finish()
        guard let current, let new else { throw input.failure() }
        let stored = try await database.client.withConnection { connection in
            try await first(
                connection.query("SELECT password_hash, email FROM users WHERE id = \(principal.userID)", logger: context.logger)
                    .decode((String?, String).self)
            )
        }
        guard let stored else { throw APIError.unauthorized }
        var errors = ValidationErrors()
        let currentMatches: Bool
        if let hash = stored.0 { currentMatches = try await hasher.verify(current, against: hash) } else { currentMatches = false }
        if !currentMatches { errors.add("current_password", "is incorrect") }
        for problem in PasswordPolicy.problems(with: new, email: stored.1) { errors.add("new_password", problem) }
        try errors.throwIfAny()
        let hash = try await hasher.hash(new)
        let origin = RequestOrigin(request, context: context)
        try await database.transaction(logger: context.logger) { connection in
            try await connection.query(
                "UPDATE users SET password_hash = \(hash), updated_at = now() WHERE id = \(principal.userID)", logger: context.logger
            )
            try await sessions.revokeAll(userID: principal.userID, keeping: principal.sessionID, on: connection, logger: context.logger)
            try await AuditLog.record(
                .passwordChanged, userID: principal.userID, orgID: principal.orgID, origin: origin, on: connection, logger: context.logger
            )
        }
        return Response(status: .noContent)
    }
}

/// One argon2id hash of a throwaway password per hasher configuration, made on first use.
actor DummyHashes {
    private var hashes: [String: String] = [:]

    func hash(for hasher: PasswordHasher) async throws -> String {
        if let hash = hashes[hasher.encodedPrefix] { return hash }
        let hash = try await hasher.hash("trellis dummy password for timing")
        hashes[hasher.encodedPrefix] = hash
        return hash
    }
}
