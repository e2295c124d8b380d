import Foundation
import Testing

@testable import Trellis

@Suite struct AccessTokensTests {
    static let principal = Principal(
        userID: UUID(uuidString: "0193a5c8-0000-7000-8000-0b0000000011")!,
        orgID: UUID(uuidString: "0193a5c8-0000-7000-8000-0a0000000001")!,
        role: .admin
    )
    static let configuration = AuthConfiguration(signingKeys: [.init(id: "k1", secret: "first-secret-first-secret-first-secret")])

    @Test func issuedTokensVerifyToTheirPrincipal() async throws {
        let tokens = await AccessTokens(configuration: Self.configuration)
        let token = try await tokens.issue(for: Self.principal)
        #expect(try await tokens.verify(token) == Self.principal)
    }

    @Test func verifiedTokensAreRememberedUntilTheyExpire() {
        let remembered = VerifiedTokens(capacity: 2)
        let expires = Date(timeIntervalSince1970: 1_800_000_000)
        remembered.remember("a", as: Self.principal, until: expires)
        #expect(remembered.principal(for: "a", at: expires.addingTimeInterval(-1)) == Self.principal)
        #expect(remembered.principal(for: "a", at: expires) == nil)
        #expect(remembered.principal(for: "b", at: expires.addingTimeInterval(-1)) == nil)
        // Full: the next token clears what is remembered rather than growing.
        remembered.remember("b", as: Self.principal, until: expires)
        remembered.remember("c", as: Self.principal, until: expires)
        remembered.remember("d", as: Self.principal, until: expires)
        #expect(remembered.principal(for: "b", at: expires.addingTimeInterval(-1)) == nil)
        #expect(remembered.principal(for: "d", at: expires.addingTimeInterval(-1)) == Self.principal)
    }

    @Test func expiredTokensAreRejected() async throws {
        let tokens = await AccessTokens(configuration: Self.configuration)
        let token = try await tokens.issue(for: Self.principal, now: Date(timeIntervalSinceNow: -3600))
        await #expect(throws: APIError.unauthorized) { try await tokens.verify(token) }
    }

    @Test func wrongAudienceOrIssuerIsRejected() async throws {
        var other = Self.configuration
        other.audience = "another-api"
        let foreign = try await AccessTokens(configuration: other).issue(for: Self.principal)
        await #expect(throws: APIError.unauthorized) { try await AccessTokens(configuration: Self.configuration).verify(foreign) }

        other = Self.configuration
        other.issuer = "someone-else"
        let wrongIssuer = try await AccessTokens(configuration: other).issue(for: Self.principal)
        await #expect(throws: APIError.unauthorized) { try await AccessTokens(configuration: Self.configuration).verify(wrongIssuer) }
    }

    @Test func wrongKeyTamperingAndAlgNoneAreRejected() async throws {
        let tokens = await AccessTokens(configuration: Self.configuration)
        let stranger = await AccessTokens(
            configuration: AuthConfiguration(signingKeys: [.init(id: "k1", secret: "other-secret-other-secret-other-secret")])
        )
        let forged = try await stranger.issue(for: Self.principal)
        await #expect(throws: APIError.unauthorized) { try await tokens.verify(forged) }

        let genuine = try await tokens.issue(for: Self.principal)
        let parts = genuine.split(separator: ".").map(String.init)
        let payload = try #require(Data(base64URL: parts[1]))
        let promoted = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "\"admin\"", with: "\"owner\"")
        let tampered = [parts[0], Data(promoted.utf8).base64URL, parts[2]].joined(separator: ".")
        await #expect(throws: APIError.unauthorized) { try await tokens.verify(tampered) }

        let none = [Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64URL, parts[1], ""].joined(separator: ".")
        await #expect(throws: APIError.unauthorized) { try await tokens.verify(none) }
    }

    @Test func previousKeysStillVerifyAfterRotation() async throws {
        let old = await AccessTokens(configuration: Self.configuration)
        let token = try await old.issue(for: Self.principal)
        let rotated = await AccessTokens(
            configuration: AuthConfiguration(
                signingKeys: [Self.configuration.signingKeys[0], .init(id: "k2", secret: "second-secret-second-secret-second")],
                currentKeyID: "k2"
            )
        )
        #expect(try await rotated.verify(token) == Self.principal)
    }
}

extension Data {
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }

    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
