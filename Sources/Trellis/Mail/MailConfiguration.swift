import Foundation

extension EnvironmentConfiguration {
    /// ``MailOptions`` from `MAIL_FROM`, `MAIL_PRODUCT_NAME`, and `SMTP_URL` or
    /// `POSTMARK_SERVER_TOKEN` (with `POSTMARK_API_URL`); neither keeps messages in the mailbox.
    /// A bad value fails with the variable's name.
    public func mailOptions() throws(ConfigurationError) -> MailOptions {
        var options = MailOptions()
        if let text = value("MAIL_FROM") {
            guard let from = Self.mailAddress(text), from.isValid else {
                throw ConfigurationError(variable: "MAIL_FROM", problem: "must be an address or `Name <address>`, got '\(text)'")
            }
            options.from = from
        }
        if let name = value("MAIL_PRODUCT_NAME") { options.productName = name }
        switch (value("SMTP_URL"), value("POSTMARK_SERVER_TOKEN")) {
        case (.some, .some):
            throw ConfigurationError(variable: "SMTP_URL", problem: "and POSTMARK_SERVER_TOKEN are both set; choose one transport")
        case (let url?, nil):
            do {
                options.transport = try SMTPTransport(url: url)
            } catch {
                throw ConfigurationError(variable: "SMTP_URL", problem: error.description)
            }
            options.transportName = "smtp"
        case (nil, let token?):
            let base = value("POSTMARK_API_URL") ?? PostmarkTransport.defaultBaseURL
            guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? "") else {
                throw ConfigurationError(variable: "POSTMARK_API_URL", problem: "must be an http:// or https:// address, got '\(base)'")
            }
            options.transport = PostmarkTransport(serverToken: token, baseURL: base)
            options.transportName = "postmark"
        case (nil, nil):
            break
        }
        return options
    }

    /// `Name <address>` or `address`.
    static func mailAddress(_ text: String) -> MailAddress? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") else { return MailAddress(trimmed) }
        let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        return MailAddress(address, name: name.isEmpty ? nil : name)
    }
}
