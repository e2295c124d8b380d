/// Whether a user must have verified their email address before changing data through the
/// generated API (`email_verification:` in the project file). Signing in, reading and the account
/// endpoints never need it.
public enum EmailVerificationRule: String, Sendable, Hashable, CaseIterable {
    /// Unverified accounts use the API like verified ones (the default).
    case optional
    /// Creates, updates, deletes and actions answer 403 to an account whose email is not verified.
    case requiredForWrites = "required_for_writes"
}
