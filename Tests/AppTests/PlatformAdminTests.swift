import Foundation
import Testing
import Trellis

/// The platform-administrator flag: granted and revoked by an operator, carried by the access
/// tokens of sessions that start or refresh after the change, never by an API key.
@Suite struct PlatformAdminTests {
    @Test func grantReachesTheNextTokensAndRevokeEndsTheSessions() async throws {
        try await withApp { client, tokens in
            let (pool, _) = try await TestEnvironment.shared.client()
            let database = Database(client: pool)
            let logger = TestEnvironment.shared.logger
            let email = "hopper@example.test"
            let signedUp = try await AuthTests.signup(client, email: email, organization: "Compilers", ip: 61)
            #expect(try await tokens.verify(signedUp.access).isPlatformAdmin == false)

            #expect(try await PlatformAdmins.set(true, email: "Hopper@Example.TEST", on: database, logger: logger))
            // A token issued before the grant does not carry it.
            #expect(try await tokens.verify(signedUp.access).isPlatformAdmin == false)
            let refreshed = try AuthTests.session(try await AuthTests.refresh(client, signedUp.refresh, ip: 61))
            #expect(try await tokens.verify(refreshed.access).isPlatformAdmin == true)
            let login = try AuthTests.session(try await AuthTests.login(client, email, AuthTests.password, ip: 61))
            #expect(try await tokens.verify(login.access).isPlatformAdmin == true)

            // A revoke also ends the user's sessions: no refresh mints another token with the flag.
            #expect(try await PlatformAdmins.set(false, email: email, on: database, logger: logger))
            #expect(try await AuthTests.refresh(client, refreshed.refresh, ip: 61).status == .unauthorized)
            #expect(try await AuthTests.refresh(client, login.refresh, ip: 61).status == .unauthorized)
            let again = try AuthTests.session(try await AuthTests.login(client, email, AuthTests.password, ip: 61))
            #expect(try await tokens.verify(again.access).isPlatformAdmin == false)

            #expect(try await PlatformAdmins.set(true, email: "nobody@example.test", on: database, logger: logger) == false)
            let actions = try await pool.query(
                "SELECT action FROM audit_logs WHERE action LIKE 'platform_admin.%' AND subject_id = (SELECT id FROM users WHERE email = \(email)) ORDER BY created_at",
                logger: logger
            ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
            #expect(actions == ["platform_admin.granted", "platform_admin.revoked"])
        }
    }

    @Test func anAPIKeyIsNeverAPlatformAdministrator() {
        let key = Principal(userID: UUID(), orgID: UUID(), role: .owner, apiKeyID: UUID(), scopes: ["*"], isPlatformAdmin: true)
        #expect(key.isPlatformAdmin == false)
        #expect(Permission.platformAdmins(scope: "write:tags").allows(key) == false)
        let admin = Principal(userID: UUID(), orgID: UUID(), role: .viewer, isPlatformAdmin: true)
        #expect(Permission.platformAdmins(scope: "write:tags").allows(admin))
        #expect(Permission.platformAdmins(scope: "write:tags").allows(Principal(userID: UUID(), orgID: UUID(), role: .owner)) == false)
    }
}
