extension StringFormat {
    /// Whether `value` has this format. Deliberately simple and predictable:
    /// - email: one `@`, a non-empty local part, a dotted domain, no spaces;
    /// - url: `http://` or `https://` followed by a host, no spaces;
    /// - slug: lowercase letters and digits in groups joined by single hyphens.
    public func matches(_ value: String) -> Bool {
        switch self {
        case .email:
            let parts = value.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !value.contains(where: \.isWhitespace) else { return false }
            let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
            return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty }
        case .url:
            guard !value.contains(where: { $0.isWhitespace }) else { return false }
            for scheme in ["https://", "http://"] where value.lowercased().hasPrefix(scheme) {
                let rest = value.dropFirst(scheme.count)
                let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
                return !host.isEmpty
            }
            return false
        case .slug:
            let groups = value.split(separator: "-", omittingEmptySubsequences: false)
            return !value.isEmpty
                && groups.allSatisfy { group in
                    !group.isEmpty && group.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
                }
        }
    }

    /// The message a client sees when a value does not match.
    public var message: String {
        switch self {
        case .email: "must be an email address"
        case .url: "must be an http or https URL"
        case .slug: "must be lowercase letters, digits and single hyphens"
        }
    }
}
