import Foundation

/// The webhooks the app receives from other services (``IncomingWebhookSource``): the route that
/// takes them, verifies and stores them, and the job that processes them.
///
/// ```swift
/// let webhooks = IncomingWebhooks([
///     IncomingWebhookSource(name: "stripe", verification: .stripe(secret: stripeSecret)) { event, context in
///         if event.type == "invoice.paid" { try await markPaid(event, database: context.database) }
///     },
/// ])
/// webhooks.addRoutes(to: router, database: database)   // POST /webhooks/stripe
/// var jobs = JobRegistry(); jobs.merge(webhooks.jobs)   // a worker of the `webhooks` queue runs the handlers
/// ```
///
/// `POST /webhooks/{source}` (no access token: the signature authenticates) answers 404 for a
/// source it does not know, 413 for a body over 1 MiB, 400 for a missing, malformed or wrong
/// signature or a Stripe timestamp outside the tolerance (nothing stored), and otherwise 200
/// `{"data": {"received": true, "duplicate": false}}` at once: the event is stored in
/// `webhook_events` and its processing job enqueued in the same transaction. An event whose id
/// the source already sent is a duplicate, answered 200 with `"duplicate": true`, neither stored
/// nor processed again.
public struct IncomingWebhooks: Sendable {
    /// The sources, by name.
    public let sources: [String: IncomingWebhookSource]
    /// The clock signatures' timestamps are checked against and `received_at` is taken from.
    let now: @Sendable () -> Date

    /// The webhooks of `sources`; two sources with one name stop the process. `now` is the clock
    /// (tests fix it).
    public init(_ sources: [IncomingWebhookSource], now: @escaping @Sendable () -> Date = { Date() }) {
        var byName: [String: IncomingWebhookSource] = [:]
        for source in sources {
            precondition(byName[source.name] == nil, "two webhook sources are named \"\(source.name)\"")
            byName[source.name] = source
        }
        self.sources = byName
        self.now = now
    }

    /// The job kind that processes a stored event.
    public static let jobKind = ProcessWebhookEventJob.kind

    /// The registry entry a worker of the `webhooks` queue needs to run the sources' handlers
    /// (kind `trellis.process_webhook`): merge it into the app's registry.
    public var jobs: JobRegistry {
        var registry = JobRegistry()
        registry.register(kind: ProcessWebhookEventJob.kind) { arguments, context in
            try await process(arguments, context: context)
        }
        return registry
    }
}
