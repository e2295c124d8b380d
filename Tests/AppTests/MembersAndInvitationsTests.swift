import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import Trellis

/// `/members` and `/invitations` over HTTP against the real database. Each test signs up its own
/// organization (fixed `mem-*` / `inv-*` emails) and names its own client IP (203.0.113.100-199);
/// Acme's and Globex's memberships are never touched.
@Suite struct MembersAndInvitationsTests {
    static let password = AuthTests.password
    typealias Session = AuthTests.Session

    // MARK: - Helpers

    static func ip(_ last: Int) -> HTTPFields { AuthTests.ip(last) }

    static func session(_ response: TestResponse) throws -> Session { try AuthTests.session(response) }

    static func signup(_ client: any TestClientProtocol, _ email: String, organization: String, ip: Int) async throws -> Session {
        try await AuthTests.signup(client, email: email, organization: organization, ip: ip)
    }

    static func invite(_ client: any TestClientProtocol, _ access: String, _ email: String, role: Role) async throws -> TestResponse {
        try await client.request(.post, "/api/v1/invitations", bearer: access, json: #"{"email": "\#(email)", "role": "\#(role.rawValue)"}"#)
    }

    /// Invites `email` as `role` and accepts with a new account: the new member's session.
    static func addMember(
        _ client: any TestClientProtocol, by access: String, _ email: String, role: Role, ip: Int
    ) async throws -> Session {
        let invited = try await invite(client, access, email, role: role)
        #expect(invited.status == .created, "\(invited.text)")
        let accepted = try await accept(client, try await token(for: email), name: "Member \(role.rawValue)", ip: ip)
        #expect(accepted.status == .ok, "\(accepted.text)")
        return try session(accepted)
    }

    static func accept(
        _ client: any TestClientProtocol, _ token: String, bearer: String? = nil, name: String? = nil, password: String? = nil, ip: Int
    ) async throws -> TestResponse {
        let body = name.map { #"{"name": "\#($0)", "password": "\#(password ?? Self.password)"}"# }
        return try await client.request(.post, "/api/v1/invitations/\(token)/accept", bearer: bearer, json: body, headers: Self.ip(ip))
    }

    /// The token in the newest invitation email to `email`, read from `email_outbox`.
    static func token(for email: String) async throws -> String {
        let body = try #require(try await column("SELECT body FROM email_outbox WHERE recipient = \(email) ORDER BY id DESC LIMIT 1", as: String.self).first)
        let link = try #require(body.range(of: "/invitations/"))
        return String(body[link.upperBound...].prefix { !$0.isWhitespace })
    }

    static func userID(_ email: String) async throws -> String {
        try #require(try await column("SELECT id FROM users WHERE email = \(email)", as: UUID.self).first).uuidString.lowercased()
    }

    static func column<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> [T] {
        let (pool, _) = try await TestEnvironment.shared.client()
        return try await pool.query(query, logger: TestEnvironment.shared.logger).decode(T.self).reduce(into: [T]()) { $0.append($1) }
    }

    static func execute(_ query: PostgresQuery) async throws {
        let (pool, _) = try await TestEnvironment.shared.client()
        try await pool.query(query, logger: TestEnvironment.shared.logger)
    }

    static func audited(_ action: String, subject: String) async throws -> Int {
        let subjectID = try #require(UUID(uuidString: subject))
        return try await column("SELECT count(*)::int4 FROM audit_logs WHERE action = \(action) AND subject_id = \(subjectID)", as: Int32.self)
            .first.map(Int.init) ?? 0
    }

    static func list(_ response: TestResponse) throws -> [[String: Any]] {
        try response.json["data"] as? [[String: Any]] ?? []
    }

    static func detailKeys(_ response: TestResponse) throws -> Set<String> {
        Set((try response.error["details"] as? [String: Any])?.keys.map { $0 } ?? [])
    }

    static func patchRole(_ client: any TestClientProtocol, _ access: String, _ userID: String, _ role: String) async throws -> TestResponse {
        try await client.request(.patch, "/api/v1/members/\(userID)", bearer: access, json: #"{"role": "\#(role)"}"#)
    }

    static func remove(_ client: any TestClientProtocol, _ access: String, _ userID: String) async throws -> TestResponse {
        try await client.request(.delete, "/api/v1/members/\(userID)", bearer: access)
    }

    // MARK: - Members

    @Test func membersAreListedAndRolesChangeByTheRules() async throws {
        try await withApp { client, _ in
            let owner = try await Self.signup(client, "mem-roles-owner@example.test", organization: "Mem Roles", ip: 100)
            let admin = try await Self.addMember(client, by: owner.access, "mem-roles-admin@example.test", role: .admin, ip: 100)
            _ = try await Self.addMember(client, by: owner.access, "mem-roles-member@example.test", role: .member, ip: 100)
            let viewer = try await Self.addMember(client, by: owner.access, "mem-roles-viewer@example.test", role: .viewer, ip: 100)
            let ownerID = try await Self.userID("mem-roles-owner@example.test")
            let adminID = try await Self.userID("mem-roles-admin@example.test")
            let memberID = try await Self.userID("mem-roles-member@example.test")

            let listed = try await client.request(.get, "/api/v1/members", bearer: viewer.access)
            #expect(listed.status == .ok)
            let members = try Self.list(listed)
            #expect(members.compactMap { ($0["user"] as? [String: Any])?["email"] as? String } == [
                "mem-roles-owner@example.test", "mem-roles-admin@example.test", "mem-roles-member@example.test", "mem-roles-viewer@example.test",
            ])
            #expect(members.map { $0["role"] as? String } == ["owner", "admin", "member", "viewer"])
            #expect((members.first?["user"] as? [String: Any])?["id"] as? String == ownerID)
            #expect((members.first?["user"] as? [String: Any])?["name"] as? String == "Test User")
            #expect(members.allSatisfy { $0["joined_at"] is String })

            #expect(try await Self.patchRole(client, viewer.access, memberID, "admin").status == .forbidden)
            let changed = try await Self.patchRole(client, admin.access, memberID, "viewer")
            #expect(changed.status == .ok)
            #expect(try changed.data["role"] as? String == "viewer")
            #expect((try changed.data["user"] as? [String: Any])?["id"] as? String == memberID)
            #expect(try await Self.audited("member.role_changed", subject: memberID) == 1)

            // Only owners grant the owner role or touch an owner.
            #expect(try await Self.patchRole(client, admin.access, memberID, "owner").status == .forbidden)
            #expect(try await Self.patchRole(client, admin.access, ownerID, "admin").status == .forbidden)
            // The last owner cannot step down.
            #expect(try await Self.patchRole(client, owner.access, ownerID, "admin").status == .conflict)
            #expect(try await Self.patchRole(client, owner.access, adminID, "owner").status == .ok)
            #expect(try await Self.patchRole(client, owner.access, ownerID, "admin").status == .ok)
            #expect(try await Self.patchRole(client, admin.access, adminID, "member").status == .conflict)
            // The demoted owner's token still says owner; the membership decides.
            #expect(try await Self.patchRole(client, owner.access, memberID, "owner").status == .forbidden)

            #expect(try await Self.patchRole(client, admin.access, memberID, "boss").status == .unprocessableContent)
            #expect(try await Self.patchRole(client, admin.access, UUID().uuidString, "member").status == .notFound)
            let acmeOwner = Users.user(.owner, in: "acme").id.uuidString.lowercased()
            #expect(try await Self.patchRole(client, admin.access, acmeOwner, "member").status == .notFound)
        }
    }

    @Test func membersAreRemovedByTheRulesAndLoseTheirSessions() async throws {
        try await withApp { client, _ in
            let owner = try await Self.signup(client, "mem-remove-owner@example.test", organization: "Mem Remove", ip: 110)
            let admin = try await Self.addMember(client, by: owner.access, "mem-remove-admin@example.test", role: .admin, ip: 110)
            let member = try await Self.addMember(client, by: owner.access, "mem-remove-member@example.test", role: .member, ip: 110)
            let viewer = try await Self.addMember(client, by: owner.access, "mem-remove-viewer@example.test", role: .viewer, ip: 110)
            let ownerID = try await Self.userID("mem-remove-owner@example.test")
            let adminID = try await Self.userID("mem-remove-admin@example.test")
            let memberID = try await Self.userID("mem-remove-member@example.test")
            let viewerID = try await Self.userID("mem-remove-viewer@example.test")

            #expect(try await Self.remove(client, viewer.access, memberID).status == .forbidden)
            #expect(try await Self.remove(client, admin.access, ownerID).status == .forbidden)
            #expect(try await Self.remove(client, owner.access, ownerID).status == .conflict)
            #expect(try await Self.remove(client, admin.access, UUID().uuidString).status == .notFound)
            #expect(try await Self.remove(client, admin.access, Users.user(.member, in: "acme").id.uuidString).status == .notFound)

            #expect(try await Self.remove(client, admin.access, memberID).status == .noContent)
            #expect(try await Self.audited("member.removed", subject: memberID) == 1)
            let refreshed = try await client.request(
                .post, "/api/v1/auth/refresh", bearer: nil, json: #"{"refresh_token": "\#(member.refresh)"}"#, headers: Self.ip(111)
            )
            #expect(refreshed.status == .unauthorized)
            #expect(try await client.request(.get, "/api/v1/members", bearer: member.access).status == .forbidden)

            // Leaving.
            #expect(try await Self.remove(client, viewer.access, viewerID).status == .noContent)
            // The last owner leaves only once there is another.
            #expect(try await Self.patchRole(client, owner.access, adminID, "owner").status == .ok)
            #expect(try await Self.remove(client, owner.access, ownerID).status == .noContent)
            #expect(try await Self.remove(client, admin.access, adminID).status == .conflict)
            let left = try Self.list(try await client.request(.get, "/api/v1/members", bearer: admin.access))
            #expect(left.map { ($0["user"] as? [String: Any])?["id"] as? String } == [adminID])
            #expect(left.map { $0["role"] as? String } == ["owner"])
        }
    }

    @Test func whatAMemberCouldGrantEndsWithTheirRole() async throws {
        try await withApp { client, _ in
            let owner = try await Self.signup(client, "mem-grant-owner@example.test", organization: "Mem Grant", ip: 112)
            let admin = try await Self.addMember(client, by: owner.access, "mem-grant-admin@example.test", role: .admin, ip: 112)
            let adminID = try await Self.userID("mem-grant-admin@example.test")
            let key = try #require(try await APIKeyTests.createKey(client, as: admin, scopes: ["read:projects"]).data["key"] as? String)

            // Demotion revokes the invitations the new role cannot send.
            #expect(try await Self.invite(client, admin.access, "mem-grant-1@example.test", role: .member).status == .created)
            let first = try await Self.token(for: "mem-grant-1@example.test")
            #expect(try await client.request(.get, "/api/v1/invitations/\(first)", bearer: nil).status == .ok)
            #expect(try await Self.patchRole(client, owner.access, adminID, "member").status == .ok)
            #expect(try await client.request(.get, "/api/v1/invitations/\(first)", bearer: nil).status == .notFound)

            // Even a role changed behind the routes' back: an invitation needs an inviter who may grant it.
            #expect(try await Self.patchRole(client, owner.access, adminID, "admin").status == .ok)
            #expect(try await Self.invite(client, admin.access, "mem-grant-2@example.test", role: .admin).status == .created)
            let second = try await Self.token(for: "mem-grant-2@example.test")
            try await Self.execute("UPDATE memberships SET role = 'viewer' WHERE user_id = \(UUID(uuidString: adminID)!)")
            #expect(try await Self.accept(client, second, name: "Too Late", ip: 112).status == .notFound)
            try await Self.execute("UPDATE memberships SET role = 'admin' WHERE user_id = \(UUID(uuidString: adminID)!)")

            // Removal ends the member's API keys in the organization, for good.
            #expect(try await client.request(.get, "/api/v1/projects", bearer: key).status == .ok)
            #expect(try await Self.remove(client, owner.access, adminID).status == .noContent)
            try await Self.execute(
                "INSERT INTO memberships (org_id, user_id, role) SELECT org_id, \(UUID(uuidString: adminID)!), 'admin' FROM api_keys WHERE created_by = \(UUID(uuidString: adminID)!)"
            )
            #expect(try await client.request(.get, "/api/v1/projects", bearer: key).status == .unauthorized)
        }
    }

    // MARK: - Invitations (admin side)

    @Test func invitationsAreCreatedListedAndRevoked() async throws {
        try await withApp { client, _ in
            let owner = try await Self.signup(client, "inv-admin-owner@example.test", organization: "Inv Admin", ip: 120)
            let admin = try await Self.addMember(client, by: owner.access, "inv-admin-admin@example.test", role: .admin, ip: 120)
            let member = try await Self.addMember(client, by: owner.access, "inv-admin-member@example.test", role: .member, ip: 120)

            let created = try await Self.invite(client, admin.access, "  Inv-New@Example.TEST ", role: .member)
            #expect(created.status == .created, "\(created.text)")
            let invitation = try created.data
            let id = try #require(invitation["id"] as? String)
            #expect(invitation["email"] as? String == "inv-new@example.test")
            #expect(invitation["role"] as? String == "member")
            #expect(invitation["invited_by"] as? String == (try await Self.userID("inv-admin-admin@example.test")))
            #expect(Set(invitation.keys) == ["id", "email", "role", "invited_by", "expires_at", "created_at"])
            let expiresIn = try await Self.column(
                "SELECT extract(epoch FROM expires_at - created_at)::int4 FROM invitations WHERE id = \(try #require(UUID(uuidString: id)))",
                as: Int32.self
            )
            #expect(expiresIn == [7 * 24 * 3600])
            #expect(try await Self.audited("invitation.created", subject: id) == 1)

            // The email: recipient, subject, link, inviter and expiry; only the token's digest is stored.
            let token = try await Self.token(for: "inv-new@example.test")
            #expect(token.count == 43)
            #expect(!created.text.contains(token))
            let subjects = try await Self.column("SELECT subject FROM email_outbox WHERE recipient = 'inv-new@example.test'", as: String.self)
            #expect(subjects == ["Member admin invited you to join Inv Admin on Trellis"])
            let body = try #require(try await Self.column("SELECT body FROM email_outbox WHERE recipient = 'inv-new@example.test'", as: String.self).first)
            #expect(body.contains("Member admin invited you") && body.contains("expires on"))
            #expect(body.contains("\(TestEnvironment.appURL)/invitations/\(token)\n"))
            let digests = try await Self.column(
                "SELECT count(*)::int4 FROM invitations WHERE token_hash = sha256(convert_to(\(token), 'UTF8'))", as: Int32.self
            )
            #expect(digests == [1])

            #expect(try await Self.invite(client, admin.access, "inv-new@example.test", role: .viewer).status == .conflict)
            #expect(try await Self.invite(client, admin.access, "inv-admin-member@example.test", role: .viewer).status == .conflict)
            #expect(try await Self.invite(client, admin.access, "inv-owner@example.test", role: .owner).status == .forbidden)
            #expect(try await Self.invite(client, owner.access, "inv-owner@example.test", role: .owner).status == .created)
            #expect(try await Self.invite(client, member.access, "inv-other@example.test", role: .viewer).status == .forbidden)
            let invalid = try await client.request(.post, "/api/v1/invitations", bearer: admin.access, json: #"{"email": "nope", "role": "boss"}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(try Self.detailKeys(invalid) == ["email", "role"])

            let listed = try await client.request(.get, "/api/v1/invitations", bearer: admin.access)
            #expect(listed.status == .ok)
            #expect(try Self.list(listed).compactMap { $0["email"] as? String } == ["inv-new@example.test", "inv-owner@example.test"])
            #expect(try await client.request(.get, "/api/v1/invitations", bearer: member.access).status == .forbidden)

            // Another organization's owner cannot see or revoke it.
            let stranger = try await Self.signup(client, "inv-admin-stranger@example.test", organization: "Inv Stranger", ip: 121)
            #expect(try Self.list(try await client.request(.get, "/api/v1/invitations", bearer: stranger.access)).isEmpty)
            #expect(try await client.request(.delete, "/api/v1/invitations/\(id)", bearer: stranger.access).status == .notFound)
            #expect(try await client.request(.delete, "/api/v1/invitations/\(id)", bearer: member.access).status == .forbidden)

            #expect(try await client.request(.delete, "/api/v1/invitations/\(id)", bearer: admin.access).status == .noContent)
            #expect(try await Self.audited("invitation.revoked", subject: id) == 1)
            #expect(try await client.request(.delete, "/api/v1/invitations/\(id)", bearer: admin.access).status == .notFound)
            #expect(try await client.request(.get, "/api/v1/invitations/\(token)", bearer: nil).status == .notFound)
            #expect(try await Self.accept(client, token, name: "Too Late", ip: 122).status == .notFound)
            #expect(try Self.list(try await client.request(.get, "/api/v1/invitations", bearer: admin.access)).count == 1)
            #expect(try await Self.invite(client, admin.access, "inv-new@example.test", role: .member).status == .created)
        }
    }

    // MARK: - Invitations (invitee side)

    @Test func acceptingCreatesAnAccountEndToEnd() async throws {
        try await withApp { client, _ in
            let owner = try await Self.signup(client, "inv-accept-owner@example.test", organization: "Inv Accept", ip: 130)
            #expect(try await Self.invite(client, owner.access, "inv-accept-new@example.test", role: .admin).status == .created)
            let token = try await Self.token(for: "inv-accept-new@example.test")

            let preview = try await client.request(.get, "/api/v1/invitations/\(token)", bearer: nil)
            #expect(preview.status == .ok)
            let offer = try preview.data
            #expect((offer["organization"] as? [String: Any])?["name"] as? String == "Inv Accept")
            #expect((offer["organization"] as? [String: Any])?["slug"] as? String == "inv-accept")
            #expect(offer["email"] as? String == "inv-accept-new@example.test")
            #expect(offer["role"] as? String == "admin")
            #expect(offer["invited_by_name"] as? String == "Test User")
            #expect(offer["expires_at"] is String)

            let missing = try await Self.accept(client, token, ip: 130)
            #expect(missing.status == .unprocessableContent)
            #expect(try Self.detailKeys(missing) == ["name", "password"])
            #expect(try await Self.accept(client, token, name: "New Admin", password: "short", ip: 130).status == .unprocessableContent)

            let accepted = try await Self.accept(client, token, name: "New Admin", ip: 130)
            #expect(accepted.status == .ok, "\(accepted.text)")
            let session = try Self.session(accepted)
            let me = try await client.request(.get, "/api/v1/me", bearer: session.access)
            #expect((try me.data["organization"] as? [String: Any])?["slug"] as? String == "inv-accept")
            #expect(try me.data["role"] as? String == "admin")
            #expect((try me.data["user"] as? [String: Any])?["name"] as? String == "New Admin")
            let login = try await client.request(
                .post, "/api/v1/auth/login", bearer: nil,
                json: #"{"email": "inv-accept-new@example.test", "password": "\#(Self.password)"}"#, headers: Self.ip(131)
            )
            #expect(login.status == .ok)
            let hashes = try await Self.column("SELECT password_hash FROM users WHERE email = 'inv-accept-new@example.test'", as: String.self)
            #expect(hashes.first?.hasPrefix("$argon2id$") == true)

            let invitationID = try #require(try await Self.column("SELECT id FROM invitations WHERE email = 'inv-accept-new@example.test'", as: UUID.self).first)
            #expect(try await Self.audited("invitation.accepted", subject: invitationID.uuidString) == 1)
            #expect(try await Self.accept(client, token, name: "Again", ip: 130).status == .notFound)
            #expect(try await client.request(.get, "/api/v1/invitations/\(token)", bearer: nil).status == .notFound)
            #expect(try await client.request(.post, "/api/v1/invitations/\(token)/decline", bearer: nil).status == .notFound)
            #expect(try await Self.invite(client, owner.access, "inv-accept-new@example.test", role: .member).status == .conflict)
        }
    }

    @Test func acceptingAsAnExistingUserNeedsTheirSignIn() async throws {
        try await withApp { client, _ in
            let owner = try await Self.signup(client, "inv-existing-owner@example.test", organization: "Inv Existing", ip: 140)
            let invitee = try await Self.signup(client, "inv-existing-user@example.test", organization: "Inv Home", ip: 140)
            let other = try await Self.signup(client, "inv-existing-other@example.test", organization: "Inv Other", ip: 140)
            #expect(try await Self.invite(client, owner.access, "inv-existing-user@example.test", role: .member).status == .created)
            let token = try await Self.token(for: "inv-existing-user@example.test")

            // No takeover without the password: an existing account must sign in first.
            let anonymous = try await Self.accept(client, token, name: "Mallory", password: "mallory's own passphrase", ip: 140)
            #expect(anonymous.status == .unauthorized)
            #expect(try await Self.accept(client, token, bearer: other.access, ip: 140).status == .forbidden)

            let accepted = try await Self.accept(client, token, bearer: invitee.access, ip: 140)
            #expect(accepted.status == .ok, "\(accepted.text)")
            let me = try await client.request(.get, "/api/v1/me", bearer: try Self.session(accepted).access)
            #expect((try me.data["organization"] as? [String: Any])?["slug"] as? String == "inv-existing")
            #expect(try me.data["role"] as? String == "member")
            #expect((try me.data["memberships"] as? [Any])?.count == 2)

            // Already a member by the time the invitation is accepted: 409, and it stays pending.
            #expect(try await Self.invite(client, owner.access, "inv-existing-other@example.test", role: .viewer).status == .created)
            let otherToken = try await Self.token(for: "inv-existing-other@example.test")
            let orgID = try #require(try await Self.column("SELECT id FROM organizations WHERE slug = 'inv-existing'", as: UUID.self).first)
            try await Self.execute(
                "INSERT INTO memberships (org_id, user_id, role) SELECT \(orgID), id, 'viewer' FROM users WHERE email = 'inv-existing-other@example.test'"
            )
            #expect(try await Self.accept(client, otherToken, bearer: other.access, ip: 140).status == .conflict)
            #expect(try await client.request(.get, "/api/v1/invitations/\(otherToken)", bearer: nil).status == .ok)
        }
    }

    @Test func decliningAndExpiryEndAnInvitation() async throws {
        try await withApp { client, _ in
            let owner = try await Self.signup(client, "inv-decline-owner@example.test", organization: "Inv Decline", ip: 150)
            #expect(try await Self.invite(client, owner.access, "inv-decline@example.test", role: .member).status == .created)
            let token = try await Self.token(for: "inv-decline@example.test")
            #expect(try await client.request(.post, "/api/v1/invitations/\(token)/decline", bearer: nil).status == .noContent)
            let declinedID = try #require(try await Self.column("SELECT id FROM invitations WHERE email = 'inv-decline@example.test'", as: UUID.self).first)
            #expect(try await Self.audited("invitation.declined", subject: declinedID.uuidString) == 1)
            #expect(try await client.request(.post, "/api/v1/invitations/\(token)/decline", bearer: nil).status == .notFound)
            #expect(try await client.request(.get, "/api/v1/invitations/\(token)", bearer: nil).status == .notFound)
            #expect(try await Self.accept(client, token, name: "Declined", ip: 150).status == .notFound)
            #expect(try Self.list(try await client.request(.get, "/api/v1/invitations", bearer: owner.access)).isEmpty)

            #expect(try await Self.invite(client, owner.access, "inv-expired@example.test", role: .member).status == .created)
            let expired = try await Self.token(for: "inv-expired@example.test")
            try await Self.execute("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE email = 'inv-expired@example.test'")
            #expect(try await client.request(.get, "/api/v1/invitations/\(expired)", bearer: nil).status == .notFound)
            #expect(try await Self.accept(client, expired, name: "Expired", ip: 150).status == .notFound)
            #expect(try await client.request(.post, "/api/v1/invitations/\(expired)/decline", bearer: nil).status == .notFound)
            #expect(try Self.list(try await client.request(.get, "/api/v1/invitations", bearer: owner.access)).isEmpty)
            // A new invitation replaces the expired one, which is revoked on the way.
            #expect(try await Self.invite(client, owner.access, "inv-expired@example.test", role: .member).status == .created)
            let revoked = try await Self.column(
                "SELECT (revoked_at IS NOT NULL)::int4 FROM invitations WHERE email = 'inv-expired@example.test' ORDER BY created_at", as: Int32.self
            )
            #expect(revoked == [1, 0])

            #expect(try await client.request(.get, "/api/v1/invitations/no-such-token", bearer: nil).status == .notFound)
            #expect(try await client.request(.post, "/api/v1/invitations/no-such-token/decline", bearer: nil).status == .notFound)
        }
    }

    @Test func noResponseEverCarriesAnOutboxRow() async throws {
        try await withApp { client, _ in
            let owner = try await Self.signup(client, "inv-outbox-owner@example.test", organization: "Inv Outbox", ip: 160)
            var responses = [try await Self.invite(client, owner.access, "inv-outbox@example.test", role: .viewer)]
            let token = try await Self.token(for: "inv-outbox@example.test")
            responses.append(try await client.request(.get, "/api/v1/invitations", bearer: owner.access))
            responses.append(try await client.request(.get, "/api/v1/invitations/\(token)", bearer: nil))
            responses.append(try await Self.accept(client, token, name: "Outbox Reader", ip: 160))
            responses.append(try await client.request(.get, "/api/v1/members", bearer: owner.access))
            #expect(responses.map(\.status) == [.created, .ok, .ok, .ok, .ok])

            let outbox = try await Self.column("SELECT id FROM email_outbox WHERE recipient = 'inv-outbox@example.test'", as: UUID.self)
            let bodies = try await Self.column("SELECT body FROM email_outbox WHERE recipient = 'inv-outbox@example.test'", as: String.self)
            #expect(outbox.count == 1 && bodies.count == 1)
            for response in responses {
                #expect(!response.text.contains(token))
                #expect(!response.text.contains(outbox[0].uuidString.lowercased()))
                #expect(!response.text.contains("Accept the invitation"))
                #expect(!response.text.contains("You are invited to"))
            }
        }
    }
}
