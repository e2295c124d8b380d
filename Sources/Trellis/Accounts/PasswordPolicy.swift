/// What a new password must be (NIST SP 800-63B, OWASP ASVS 5.0 V6): 12 to 128 characters, any
/// Unicode, no composition rules, and not one of the passwords attackers try first.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumLength = 128

    /// The problems with `password`, as messages for the `password` field; empty when it is acceptable.
    public static func problems(with password: String, email: String? = nil) -> [String] {
        // NIST SP 800-63B counts each code point as one character, as JSON Schema's minLength does.
        let length = password.unicodeScalars.count
        if length < minimumLength { return ["must be at least \(minimumLength) characters"] }
        if length > maximumLength { return ["must be at most \(maximumLength) characters"] }
        let folded = password.lowercased()
        if CommonPasswords.list.contains(folded) || Set(folded).count <= 2 {
            return ["is too common; choose a longer passphrase"]
        }
        if let email, let local = email.split(separator: "@").first, local.count >= 4, folded.contains(local) {
            return ["must not contain your email address"]
        }
        return []
    }
}
