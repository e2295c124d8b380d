/// The job that hands one stored webhook to its source's handler: kind `trellis.process_webhook`
/// on the `webhooks` queue, arguments `{"webhook_event_id": <row id>}`. Workers run it with the
/// runner ``IncomingWebhooks/jobs`` registers, which knows the handlers.
struct ProcessWebhookEventJob: Job {
    static let kind = "trellis.process_webhook"
    static let queue: JobQueueName = .webhooks
    static let maxAttempts = 10

    var webhookEventID: Int64

    enum CodingKeys: String, CodingKey {
        case webhookEventID = "webhook_event_id"
    }

    /// Never called: ``IncomingWebhooks/jobs`` registers the kind with a runner of its own.
    func run(context: JobContext) async throws {
        throw HandlersMissing()
    }

    struct HandlersMissing: Error, CustomStringConvertible {
        var description: String { "trellis.process_webhook runs only with the registry of IncomingWebhooks.jobs" }
    }
}
