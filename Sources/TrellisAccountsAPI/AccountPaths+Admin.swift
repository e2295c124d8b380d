import TrellisOpenAPI

/// `/admin/...`: jobs and received webhooks across every organization, for platform administrators.
extension AccountPaths {
    static func adminPaths() -> [(String, Document)] {
        let forbidden = failure(.forbidden, "Only a signed-in platform administrator (never an API key) may do this.")
        let limit = query("limit", "Page size.", ["type": "integer", "minimum": 1, "maximum": 100, "default": 50])
        let before = query("before", "Only rows with a smaller id: the last id of the page before, for the next page.", ["type": "integer", "minimum": 1])
        let jobID = pathParameter("job_id", "The job's id.", schema: ["type": "integer", "minimum": 1])
        return [
            item(
                operation(
                    .listJobs, summary: "List background jobs in one state, newest first (discarded ones unless told otherwise).",
                    parameters: [
                        query("state", "The jobs' state.", ["type": "string", "enum": ["pending", "running", "completed", "discarded"], "default": "discarded"]),
                        query("queue", "Only this queue's jobs (`mailers`).", ["type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\u0000]*$"]),
                        query("kind", "Only this kind of job (`trellis.send_email`).", ["type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\u0000]*$"]),
                        limit, before,
                    ],
                    success: ("200", json("JobList", "The jobs.")),
                    failures: [forbidden, failure(.validationFailed, "A parameter is unknown, repeated or invalid.")]
                )
            ),
            item(
                parameters: [jobID],
                operation(
                    .retryJob, summary: "Run a discarded job again, now, with one more attempt.",
                    success: ("200", json("JobResponse", "The job, pending again.")),
                    failures: [forbidden, failure(.notFound, "No discarded job has this id.")]
                )
            ),
            item(
                parameters: [jobID],
                operation(
                    .discardJob, summary: "Give up on a pending job (one waiting for its next attempt, say).",
                    success: ("200", json("JobResponse", "The job, discarded.")),
                    failures: [forbidden, failure(.notFound, "No pending job has this id.")]
                )
            ),
            item(
                operation(
                    .listWebhookEvents, summary: "List webhooks received from other services, newest first (failed ones unless told otherwise).",
                    parameters: [
                        query("status", "The events' status.", ["type": "string", "enum": ["received", "processed", "failed"], "default": "failed"]),
                        limit, before,
                    ],
                    success: ("200", json("WebhookEventList", "The events.")),
                    failures: [forbidden, failure(.validationFailed, "A parameter is unknown, repeated or invalid.")]
                )
            ),
            item(
                parameters: [pathParameter("event_id", "The event's id.", schema: ["type": "integer", "minimum": 1])],
                operation(
                    .retryWebhookEvent, summary: "Process a failed webhook event again.",
                    success: ("202", json("WebhookEventResponse", "The event, its processing queued.")),
                    failures: [
                        forbidden, failure(.notFound, "No webhook event has this id."),
                        failure(.conflict, "The event did not fail, or its processing is already queued."),
                    ]
                )
            ),
        ]
    }

    private static func query(_ name: String, _ description: String, _ schema: Document) -> Document {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
    }
}
