import AppAPI
import Foundation
import Trellis

/// The example app: the generated API with its hand-written domain rules plugged in.
public enum App {
    public static func api() -> GeneratedAPI {
        GeneratedAPI(hooks: hooks, actions: actions)
    }

    /// The hand-written rules that run around the generated operations.
    public static var hooks: GeneratedAPI.Hooks {
        var hooks = GeneratedAPI.Hooks()
        hooks.taskItem = TaskAssigneeRule()
        return hooks
    }

    /// The app's background jobs (``JobRegistry``); `Server serve` and `Server worker` add the
    /// maintenance jobs every Trellis server runs.
    public static var jobs: JobRegistry {
        JobRegistry()
    }

    /// The webhooks the app receives at `POST /webhooks/<source>`: Stripe's when
    /// `STRIPE_WEBHOOK_SECRET` is set, GitHub's when `GITHUB_WEBHOOK_SECRET` is. The example has
    /// no billing or repositories, so its handlers only log what arrived; a real app updates its
    /// subscriptions or issues there, idempotently (an event may be handled twice).
    public static func webhooks(environment: [String: String] = ProcessInfo.processInfo.environment) -> IncomingWebhooks {
        var sources: [IncomingWebhookSource] = []
        let logArrival: IncomingWebhookSource.Handler = { event, context in
            context.logger.info("webhook received", metadata: ["source": "\(event.source)", "event_id": "\(event.eventID)", "type": "\(event.type ?? "")"])
        }
        if let secret = environment["STRIPE_WEBHOOK_SECRET"], !secret.isEmpty {
            sources.append(IncomingWebhookSource(name: "stripe", verification: .stripe(secret: secret), handler: logArrival))
        }
        if let secret = environment["GITHUB_WEBHOOK_SECRET"], !secret.isEmpty {
            sources.append(IncomingWebhookSource(name: "github", verification: .github(secret: secret), handler: logArrival))
        }
        return IncomingWebhooks(sources)
    }

    /// The hand-written custom actions of the specs.
    public static let actions = GeneratedAPI.Actions(project: ProjectArchiving())
}
