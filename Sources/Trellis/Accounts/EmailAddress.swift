import Foundation

/// An email address as accounts store it: trimmed and lowercased, so `Ada@Example.COM` and
/// `ada@example.com` are one account.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// nil unless `text` looks like `local@domain.tld` (at most 254 characters, no spaces).
    public init?(_ text: String) {
        let normalized = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard normalized.utf8.count <= 254, StringFormat.email.matches(normalized) else { return nil }
        value = normalized
    }

    public var description: String { value }
}
