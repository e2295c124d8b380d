import Foundation
import Hummingbird
import Logging
import PostgresNIO
import TrellisAccountsAPI

/// `/auth/...`: sign-up, sign-in, refresh-token rotation, logout, organization switch, password
/// change, password reset by email and email verification.
///
/// Passwords are hashed with argon2id on a thread pool. Unknown email and wrong password answer
/// alike, after the same work (a dummy hash is verified for unknown emails). Sign-in is throttled
/// per IP and per account. Every event lands in the audit trail; no password or token is ever
/// logged or stored in clear. Sign-up emails a verification link and a welcome; a sign-in from a
/// device the account has not used before is emailed to it.
public struct AuthRoutes: Sendable {
    public let database: Database
    public let sessions: SessionTokens
    public let hasher: PasswordHasher
    public let throttle: RateLimiter
    public let emails: AccountEmails

    public init(database: Database, sessions: SessionTokens, hasher: PasswordHasher, throttle: RateLimiter, emails: AccountEmails) {
        self.database = database
        self.sessions = sessions
        self.hasher = hasher
        self.throttle = throttle
        self.emails = emails
    }

    public func add(to group: RouterGroup<TrellisRequestContext>) {
        group.on(.authSignup) { request, context in try await signup(request, context) }
        group.on(.authLogin) { request, context in try await login(request, context) }
        group.on(.authRefresh) { request, context in try await refresh(request, context) }
        group.on(.authLogout) { request, context in try await logout(request, context, all: false) }
        group.on(.authLogoutAll) { request, context in try await logout(request, context, all: true) }
        group.on(.authSwitchOrg) { request, context in try await switchOrganization(request, context) }
        group.on(.authChangePassword) { request, context in try await changePassword(request, context) }
        group.on(.authRequestPasswordReset) { request, context in try await requestPasswordReset(request, context) }
        group.on(.authResetPassword) { request, context in try await resetPassword(request, context) }
        group.on(.authVerifyEmail) { request, context in try await verifyEmail(request, context) }
        group.on(.authResendVerification) { request, context in try await resendVerification(request, context) }
        group.on(.authChangeEmail) { request, context in try await changeEmail(request, context) }
    }

    // MARK: - Sign-up and sign-in

    /// Creates a user and a new organization they own: its id is made here, not taken from a
    /// principal (there is none yet) or from the request.
    func signup(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
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
            _ = try await Organizations.insert(id: orgID, name: organizationName, on: connection, logger: context.logger)
            try await connection.query(
                "INSERT INTO memberships (org_id, user_id, role) VALUES (\(orgID), \(userID), 'owner')", logger: context.logger
            )
            try await AuditLog.record(.signup, userID: userID, orgID: orgID, origin: origin, on: connection, logger: context.logger)
            _ = try await KnownDevices.record(userID: userID, origin: origin, on: connection, logger: context.logger)
            if let token = try await AccountTokens.issue(.verifyEmail, userID: userID, email: email.value, on: connection, logger: context.logger) {
                try await EmailOutbox.enqueue(emails.emailVerification(to: email.value, token: token.value), on: connection, logger: context.logger)
            }
            try await EmailOutbox.enqueue(emails.welcome(to: email.value, name: name), on: connection, logger: context.logger)
            return try await sessions.start(userID: userID, orgID: orgID, role: .owner, origin: origin, on: connection, logger: context.logger)
        }
        return Response.credentials(pair, status: .created)
    }

    /// Starts a session in the user's oldest membership (``Memberships/defaultOrganization(of:on:logger:)``).
    func login(_ request: Request, _ context: TrellisRequestContext) async throws -> Response {
        try request.rejectUnknownQueryParameters()
        var input = InputReader(try await request.jsonObject(context: context), fields: ["email", "password"], serverOwned: [])
        let emailText = input.read("email", as: String.self, required: true)
        let password = input.read("password", as: String.self, required: true)
        if let emailText, emailText.utf8.count > 254 { input.reject("email", "must be at most 254 bytes") }
        try input.finish()
        guard let emailText, let password else { throw input.failure() }
        let email = EmailAddress(emailText)?.value ?? emailText.lowercased()
        let origin = RequestOrigin(request, context: context)

        if let retryAfter = try await throttle.hit(["login:ip:\(origin.ip ?? "unknown")", "login:email:\(email)"], logger: context.logger) {
            try await database.withConnection(logger: context.logger) { connection in
                try await AuditLog.record(.loginThrottled, origin: origin, on: connection, logger: context.logger)
            }
            throw APIError.tooMany("sign-in attempts", retryAfter: retryAfter)
        }

        let account = try await database.withConnection(logger: context.logger) { connection in
            try await first(
                connection.query("SELECT id, password_hash FROM users WHERE lower(email) = \(email)", logger: context.logger)
                    .decode((UUID, String?).self)
            )
        }
        // Unknown emails (and accounts without a password) verify against a dummy hash, so every
        // failure takes the same time; matching the dummy never signs anyone in.
        let storedHash = account?.1
        let checkedHash: String
        if let storedHash { checkedHash = storedHash } else { checkedHash = try await Self.dummyHash(hasher) }
        let matches = try await hasher.verify(password, against: checkedHash)
        let verified = matches && storedHash != nil
        let membership: (UUID, Role)?
        if let (userID, _) = account, verified {
            membership = try await database.withConnection(logger: context.logger) { connection in
                try await Memberships.defaultOrganization(of: userID, on: connection, logger: context.logger)
            }
        } else {
            membership = nil
        }
        guard let userID = account?.0, verified, let (orgID, role) = membership else {
            try await database.withConnection(logger: context.logger) { connection in
                try await AuditLog.record(.loginFailed, userID: account?.0, origin: origin, on: connection, logger: context.logger)
            }
            if verified && account != nil {
                throw APIError(.forbidden, "This account is not a member of any organization; accept an invitation first.")
            }
            throw APIError(.unauthorized, "The email or password is incorrect.")
        }
        // Hashes made with older cost parameters are upgraded while the password is at hand.
        var upgraded: String?
        if let storedHash, hasher.needsRehash(storedHash) { upgraded = try await hasher.hash(password) }
        let pair = try await database.transaction(logger: context.logger) { connection in
            if let upgraded {
                try await connection.query("UPDATE users SET password_hash = \(upgraded) WHERE id = \(userID)", logger: context.logger)
            }
            try await AuditLog.record(.loginSucceeded, userID: userID, orgID: orgID, origin: origin, on: connection, logger: context.logger)
            if try await KnownDevices.record(userID: userID, origin: origin, on: connection, logger: context.logger) {
                let notice = emails.newSignIn(to: email, at: Date(), ip: origin.ip ?? "unknown", userAgent: origin.userAgent ?? "unknown")
                try await EmailOutbox.enqueue(notice, on: connection, logger: context.logger)
            }
            return try await sessions.start(userID: userID, orgID: orgID, role: role, origin: origin, on: connection, logger: context.logger)
        }
        return Response.credentials(pair)
    }

    private static let dummyHashes = DummyHashes()

    static func dummyHash(_ hasher: PasswordHasher) async throws -> String {
        try await dummyHashes.hash(for: hasher)
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
