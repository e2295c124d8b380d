import TrellisOpenAPI

/// `/webhook-endpoints`: where the organization's change events are sent, and their delivery log.
extension AccountPaths {
    static func webhookPaths() -> [(String, Document)] {
        let endpointID: [Document] = [["$ref": "#/components/parameters/ResourceID"]]
        let notFound = failure(.notFound, "No webhook endpoint of this organization has this id.")
        let forbidden = failure(.forbidden, "Only owners and admins (or API keys with the webhooks scope) manage webhook endpoints.")
        return [
            item(
                operation(
                    .listWebhookEndpoints, summary: "List the organization's webhook endpoints, oldest first.",
                    description: "Secrets are never listed.",
                    success: ("200", json("WebhookEndpointList", "The endpoints.")), failures: [forbidden]
                ),
                operation(
                    .createWebhookEndpoint, summary: "Create a webhook endpoint.",
                    description: """
                        The response carries the signing `secret` this once: store it now. Every delivery is POSTed with \
                        `X-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, `X-Webhook-Id` and \
                        `X-Webhook-Event`; see the README for verifying it. The URL must be https and resolve to a public \
                        address. An organization has at most 20 endpoints.
                        """,
                    body: "WebhookEndpointCreate", success: ("201", json("WebhookEndpointCreatedResponse", "The new endpoint, with its secret.")),
                    failures: [forbidden, failure(.validationFailed, "The URL is refused, or an event type is malformed.")]
                )
            ),
            item(
                parameters: endpointID,
                operation(
                    .getWebhookEndpoint, summary: "Read a webhook endpoint.",
                    success: ("200", json("WebhookEndpointResponse", "The endpoint.")), failures: [forbidden, notFound]
                ),
                operation(
                    .updateWebhookEndpoint, summary: "Change a webhook endpoint's URL, description, event types, or enable or disable it.",
                    description: "Enabling an endpoint the server disabled (after three days of failures) starts counting failures afresh.",
                    body: "WebhookEndpointUpdate", success: ("200", json("WebhookEndpointResponse", "The endpoint as changed.")),
                    failures: [forbidden, notFound, failure(.validationFailed, "The URL is refused, or an event type is malformed.")]
                ),
                operation(
                    .deleteWebhookEndpoint, summary: "Delete a webhook endpoint and its delivery log.",
                    success: ("204", noContent("The endpoint is gone; pending deliveries are dropped.")), failures: [forbidden, notFound]
                )
            ),
            item(
                parameters: endpointID,
                operation(
                    .listWebhookDeliveries, summary: "The endpoint's delivery log, newest first.",
                    description: "Each delivery with its latest attempt's status, the first 1 KB of the answer, and when it is retried next.",
                    parameters: [
                        query("limit", "Page size.", ["type": "integer", "minimum": 1, "maximum": 100, "default": 20]),
                        ["$ref": "#/components/parameters/Cursor"],
                        query("sort", "Newest first (`-created_at`, the default) or oldest first.", ["type": "string", "enum": ["-created_at", "created_at"]]),
                        query("status", "Only deliveries in this state.", ["type": "string", "enum": ["pending", "succeeded", "failed"]]),
                        query("event_type", "Only deliveries of this event type.", ["type": "string", "pattern": "^[^\\u0000]*$"]),
                    ],
                    success: ("200", json("WebhookDeliveryList", "A page of deliveries.")),
                    failures: [forbidden, notFound, failure(.validationFailed, "A parameter is unknown, repeated or invalid.")]
                )
            ),
            item(
                parameters: endpointID + [pathParameter("delivery_id", "The delivery to send again.", schema: ["type": "string", "format": "uuid"])],
                operation(
                    .redeliverWebhook, summary: "Send a delivery again, as a new delivery of the same event.",
                    success: ("202", json("WebhookDeliveryResponse", "The new delivery, queued.")),
                    failures: [forbidden, failure(.notFound, "No delivery of this endpoint has this id.")]
                )
            ),
            item(
                parameters: endpointID,
                operation(
                    .testWebhookEndpoint, summary: "Send a `webhook.test` event to the endpoint now.",
                    success: ("202", json("WebhookDeliveryResponse", "The test delivery, queued.")), failures: [forbidden, notFound]
                )
            ),
        ]
    }

    private static func query(_ name: String, _ description: String, _ schema: Document) -> Document {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
    }
}
