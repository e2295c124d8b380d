import Testing
import Trellis

@Suite("PasswordHasher")
struct PasswordHasherTests {
    let hasher = PasswordHasher()

    @Test func hashesWithArgon2idAndTheDefaultParameters() async throws {
        let encoded = try await hasher.hash("correct horse battery staple")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        // 16-byte salt and 32-byte hash, unpadded base64: 22 and 43 characters.
        let parts = encoded.split(separator: "$")
        #expect(parts.count == 5)
        #expect(parts.dropFirst(3).map(\.count) == [22, 43])
        #expect(!hasher.needsRehash(encoded))
        #expect(PasswordHasher(memoryKiB: 8192, iterations: 1).needsRehash(encoded))
    }

    @Test func verifiesTheRightPasswordOnly() async throws {
        let encoded = try await hasher.hash("correct horse battery staple")
        #expect(try await hasher.verify("correct horse battery staple", against: encoded))
        #expect(try await !hasher.verify("correct horse battery stapl", against: encoded))
        #expect(try await !hasher.verify("", against: encoded))
    }

    @Test func handlesNonASCIIAndEmptyPasswords() async throws {
        let encoded = try await hasher.hash("pässwörd 🔑")
        #expect(try await hasher.verify("pässwörd 🔑", against: encoded))
        let empty = try await hasher.hash("")
        #expect(try await hasher.verify("", against: empty))
        #expect(try await !hasher.verify(" ", against: empty))
    }

    @Test func saltsEveryHash() async throws {
        let first = try await hasher.hash("same password")
        let second = try await hasher.hash("same password")
        #expect(first != second)
        #expect(try await hasher.verify("same password", against: second))
    }

    @Test func verifiesHashesMadeWithOtherParameters() async throws {
        let cheap = PasswordHasher(memoryKiB: 8192, iterations: 1, parallelism: 1)
        let encoded = try await cheap.hash("secret")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=8192,t=1,p=1$"))
        #expect(try await hasher.verify("secret", against: encoded))
    }

    @Test(arguments: [
        "",
        "not a hash",
        "$2b$12$abcdefghijklmnopqrstuuJ8e8l1Z6Sc1H0gKxv3y6H1m0r5oRkW",
        "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$qLml5cbqFAO6YxVHhrSBHP0UWdxrIxkNcM8aMX3blzU",
        "$argon2id$v=19$m=19456,t=2,p=1$",
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$!!!notbase64!!!",
        "$argon2id$v=19$m=abc,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$qLml5cbqFAO6YxVHhrSBHP0UWdxrIxkNcM8aMX3blzU",
    ])
    func rejectsMalformedHashes(encoded: String) async {
        await #expect {
            try await hasher.verify("secret", against: encoded)
        } throws: { error in
            guard case PasswordHasherError.malformedHash = error else { return false }
            return "\(error)".contains("reset the user's password")
        }
    }

    @Test func reportsInvalidParameters() async {
        await #expect(throws: PasswordHasherError.self) {
            try await PasswordHasher(memoryKiB: 1, iterations: 1, parallelism: 1).hash("secret")
        }
    }
}
