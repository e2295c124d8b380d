extension CoreMigrations {
    /// `trellis_0009_webhook_events`: the webhooks other services sent (``IncomingWebhooks``), one
    /// row per event, processed by a job.
    static let webhookEvents = Migration(
        id: "trellis_0009_webhook_events",
        sql: """
            -- Migration trellis_0009_webhook_events: creates webhook_events, the verified events received
            -- on POST /webhooks/{source}.
            -- Safe to run: a new, empty table.
            SET LOCAL lock_timeout = '5s';
            SET LOCAL statement_timeout = '1min';

            -- A row is stored only once its signature is verified, in the transaction that enqueues the
            -- job processing it: received until that job's handler succeeds (processed, processed_at),
            -- failed while its attempts fail (attempts, last_error). The sender's event id makes a
            -- redelivery a duplicate: accepted, not stored or processed again. payload keeps the body's
            -- exact text, so its signature can be checked again with the headers kept beside it.
            CREATE TABLE webhook_events (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                source text NOT NULL CHECK (source ~ '^[a-z0-9_-]+$'),
                event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
                event_type text,
                payload text NOT NULL,
                -- The headers the verification read (signature, event id and type) and Content-Type.
                headers jsonb NOT NULL DEFAULT '{}',
                status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'failed')),
                attempts integer NOT NULL DEFAULT 0,
                last_error text,
                received_at timestamptz NOT NULL DEFAULT now(),
                processed_at timestamptz,
                CONSTRAINT webhook_events_source_event_id_key UNIQUE (source, event_id)
            );
            -- The listings of received and failed events, newest first (what operators look for); processed
            -- ones, the bulk, are listed along the primary key.
            CREATE INDEX webhook_events_unprocessed_idx ON webhook_events (status, id DESC) WHERE status <> 'processed';
            """
    )
}
