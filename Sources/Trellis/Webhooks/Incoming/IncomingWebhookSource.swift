/// A service that sends the app webhooks: its name (the `{source}` of `POST /webhooks/{source}`),
/// how its webhooks are verified, and the app's handler of its events.
public struct IncomingWebhookSource: Sendable {
    /// Handles one verified event, in a job of the `webhooks` queue (``IncomingWebhooks/jobs``):
    /// throwing retries it later (10 attempts in all). It runs at least once per event, and again
    /// if its worker dies mid-run: make it idempotent, by ``IncomingWebhookEvent/eventID``.
    public typealias Handler = @Sendable (IncomingWebhookEvent, JobContext) async throws -> Void

    /// `[a-z0-9_-]+`: the path segment the sender posts to.
    public let name: String
    public let verification: IncomingWebhookVerification
    public let handler: Handler

    /// A source named `name` (`stripe`, `github`, `acme-billing`; lowercase letters, digits, `_`
    /// and `-`: anything else stops the process, as any configuration mistake found at launch does).
    public init(name: String, verification: IncomingWebhookVerification, handler: @escaping Handler) {
        precondition(Self.isValidName(name), "webhook source name \"\(name)\" must match [a-z0-9_-]+")
        self.name = name
        self.verification = verification
        self.handler = handler
    }

    /// Whether `name` matches `[a-z0-9_-]+`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
