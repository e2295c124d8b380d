import CArgon2
import NIOPosix

/// Why a password could not be hashed or checked.
public enum PasswordHasherError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The stored hash is not an argon2id string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`).
    case malformedHash(reason: String)
    /// libargon2 refused the parameters or ran out of memory.
    case hashingFailed(reason: String)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .malformedHash(let reason):
            return "the stored password hash is not a valid argon2id hash (\(reason)); "
                + "expected `$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>`: reset the user's password"
        case .hashingFailed(let reason):
            return "could not hash the password: \(reason); check the PasswordHasher parameters "
                + "(memoryKiB must be at least 8 x parallelism) and the memory available"
        }
    }
}

/// Hashes and verifies passwords with argon2id (libargon2), using the OWASP-recommended defaults
/// (19 MiB, 2 iterations, 1 lane), a 16-byte random salt and a 32-byte hash.
///
/// Both operations take tens of milliseconds of CPU and ~19 MiB of memory, so they run on a
/// thread pool, never on an event loop.
public struct PasswordHasher: Sendable {
    /// Memory cost in KiB.
    public let memoryKiB: UInt32
    /// Number of passes over the memory.
    public let iterations: UInt32
    /// Number of lanes.
    public let parallelism: UInt32
    private let threadPool: NIOThreadPool

    private static let saltLength = 16
    private static let hashLength = 32

    /// Creates a hasher with the given argon2id cost parameters, running on `threadPool`.
    public init(memoryKiB: UInt32 = 19456, iterations: UInt32 = 2, parallelism: UInt32 = 1, threadPool: NIOThreadPool = .singleton) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
        self.threadPool = threadPool
    }

    /// The prefix of every hash this hasher produces, e.g. `$argon2id$v=19$m=19456,t=2,p=1$`.
    public var encodedPrefix: String {
        "$argon2id$v=19$m=\(memoryKiB),t=\(iterations),p=\(parallelism)$"
    }

    /// Hashes `password` (its UTF-8 bytes) with a fresh random salt.
    ///
    /// - Returns: the PHC-format encoded string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
    /// - Throws: ``PasswordHasherError/hashingFailed(reason:)`` when libargon2 rejects the parameters.
    public func hash(_ password: String) async throws -> String {
        try await hash(password, salt: Self.randomSalt())
    }

    /// Hashes `password` with the given 16-byte `salt`: for deterministic fixtures (demo data) only;
    /// everything else uses ``hash(_:)`` and its fresh random salt.
    public func hash(_ password: String, salt: [UInt8]) async throws -> String {
        let (memoryKiB, iterations, parallelism) = (self.memoryKiB, self.iterations, self.parallelism)
        return try await threadPool.runIfActive {
            try Self.hashBlocking(
                password: Array(password.utf8), salt: salt, memoryKiB: memoryKiB, iterations: iterations, parallelism: parallelism
            )
        }
    }

    /// Checks `password` against an encoded argon2id hash, in constant time with respect to the hash.
    ///
    /// - Returns: `true` when the password matches, `false` when it does not.
    /// - Throws: ``PasswordHasherError/malformedHash(reason:)`` when `encoded` is not an argon2id hash.
    public func verify(_ password: String, against encoded: String) async throws -> Bool {
        guard encoded.hasPrefix("$argon2id$") else {
            throw PasswordHasherError.malformedHash(reason: "it does not start with $argon2id$")
        }
        return try await threadPool.runIfActive {
            try Self.verifyBlocking(password: Array(password.utf8), encoded: encoded)
        }
    }

    /// `true` when `encoded` was made with other parameters than this hasher's: hash the password
    /// again after a successful login to upgrade it.
    public func needsRehash(_ encoded: String) -> Bool {
        !encoded.hasPrefix(encodedPrefix)
    }

    /// ``saltLength`` bytes from the system's cryptographically secure generator.
    private static func randomSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var salt: [UInt8] = []
        salt.reserveCapacity(saltLength)
        for _ in 0..<(saltLength / 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { salt.append(contentsOf: $0) }
        }
        return salt
    }

    // MARK: - libargon2 (blocking)

    private static func hashBlocking(
        password: [UInt8], salt: [UInt8], memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32
    ) throws -> String {
        let length = argon2_encodedlen(
            iterations, memoryKiB, parallelism, UInt32(salt.count), UInt32(hashLength), Argon2_id
        )
        var encoded = [CChar](repeating: 0, count: length + 1)
        let result = password.withUnsafeBytes { passwordBytes in
            salt.withUnsafeBytes { saltBytes in
                encoded.withUnsafeMutableBufferPointer { output in
                    argon2id_hash_encoded(
                        iterations, memoryKiB, parallelism,
                        passwordBytes.baseAddress, passwordBytes.count,
                        saltBytes.baseAddress, saltBytes.count,
                        hashLength, output.baseAddress, output.count
                    )
                }
            }
        }
        guard result == ARGON2_OK.rawValue else {
            throw PasswordHasherError.hashingFailed(reason: errorMessage(result))
        }
        let bytes = encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func verifyBlocking(password: [UInt8], encoded: String) throws -> Bool {
        let result = encoded.withCString { encodedPointer in
            password.withUnsafeBytes { passwordBytes in
                argon2id_verify(encodedPointer, passwordBytes.baseAddress, passwordBytes.count)
            }
        }
        switch result {
        case ARGON2_OK.rawValue:
            return true
        case ARGON2_VERIFY_MISMATCH.rawValue:
            return false
        case ARGON2_MEMORY_ALLOCATION_ERROR.rawValue:
            throw PasswordHasherError.hashingFailed(reason: errorMessage(result))
        default:
            throw PasswordHasherError.malformedHash(reason: errorMessage(result))
        }
    }

    private static func errorMessage(_ code: Int32) -> String {
        guard let message = argon2_error_message(code) else { return "argon2 error \(code)" }
        return "\(String(cString: message)) (argon2 error \(code))"
    }
}
