extension StringFormat {
    /// Whether `value` has this format. Deliberately simple and predictable:
    /// - email: an RFC 5321 mailbox, as JSON Schema's `email` format reads it: a local part of
    ///   atext characters and single dots (at most 64), `@`, and a domain of at least two labels of
    ///   letters, digits and inner hyphens (each at most 63);
    /// - url: `http://` or `https://` followed by a host, no spaces;
    /// - slug: lowercase letters and digits in groups joined by single hyphens.
    public func matches(_ value: String) -> Bool {
        switch self {
        case .email:
            let parts = value.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].utf8.count <= 64 else { return false }
            let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-".unicodeScalars)
            let local = parts[0].split(separator: ".", omittingEmptySubsequences: false)
            guard local.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(atext.contains) }) else { return false }
            let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
            return labels.count >= 2
                && labels.allSatisfy { label in
                    (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                        && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
                }
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
