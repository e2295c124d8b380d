/// An email address with an optional display name, as in `Acme <hello@acme.example>`.
///
/// The address is not checked when the value is made: ``MailMessage/rendered(messageID:date:)``
/// (and so every ``MailTransport``) refuses a message with an address that ``isValid`` rejects,
/// or with a display name holding a line break.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address itself (`local@domain`), ASCII only.
    public var address: String
    /// The name shown beside the address; any Unicode (RFC 2047 encoded in headers when not ASCII).
    public var name: String?

    /// An address, with the name to show beside it.
    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// Whether ``address`` is a plain `local-part@domain` address this layer can deliver to: ASCII,
    /// a dot-atom local part (RFC 5322 `atext` and dots, at most 64 bytes) and a domain of letters,
    /// digits and hyphens in dot-separated labels (at most 253 bytes). Quoted local parts, address
    /// literals and internationalized addresses (SMTPUTF8) are not supported.
    public var isValid: Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let (local, domain) = (parts[0].utf8, parts[1].utf8)
        guard (1...64).contains(local.count), (1...253).contains(domain.count) else { return false }
        guard local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."),
            !parts[0].contains(".."), local.allSatisfy(Self.isLocalPartByte)
        else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.utf8.first != UInt8(ascii: "-")
                && label.utf8.last != UInt8(ascii: "-")
                && label.utf8.allSatisfy { Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// The address as a person reads it: `Name <address>`, or the bare address.
    public var description: String {
        guard let name, !name.isEmpty else { return address }
        return "\(name) <\(address)>"
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// RFC 5322 `atext`, plus the dot of a dot-atom.
    private static func isLocalPartByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || "!#$%&'*+-/=?^_`{|}~.".utf8.contains(byte)
    }
}
