extension CoreMigrations {
    /// `trellis_0008_webhooks`: outgoing webhooks (``WebhookEndpointRoutes``, ``WebhookDispatcher``,
    /// ``DeliverWebhook``).
    static let webhooks = Migration(
        id: "trellis_0008_webhooks",
        sql: """
            -- Migration trellis_0008_webhooks: creates webhook_endpoints, webhook_deliveries,
            -- webhook_delivery_attempts and webhook_dispatch, the outgoing webhooks.
            -- Safe to run: new tables; webhook_dispatch gets its one row.
            SET LOCAL lock_timeout = '5s';
            SET LOCAL statement_timeout = '1min';

            -- Where an organization wants its change events POSTed. The secret signs every delivery
            -- (so it is kept, not hashed); the API shows it once, at creation.
            CREATE TABLE webhook_endpoints (
                id uuid PRIMARY KEY,
                org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                url text NOT NULL,
                description text NOT NULL DEFAULT '',
                secret text NOT NULL,
                -- Event types (task.updated) or '*' for every one.
                event_types text[] NOT NULL,
                enabled boolean NOT NULL DEFAULT true,
                -- Why the server disabled it (failing for 3 days); NULL when enabled or disabled by a person.
                disabled_reason text,
                -- The first failure of the current run of failures; NULL after a success.
                failing_since timestamptz,
                created_by uuid REFERENCES users (id) ON DELETE SET NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id, created_at, id);

            -- One event for one endpoint: the exact body signed and sent, and how its attempts went.
            CREATE TABLE webhook_deliveries (
                id uuid PRIMARY KEY,
                endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
                org_id uuid NOT NULL,
                event_id uuid NOT NULL,
                event_type text NOT NULL,
                payload text NOT NULL,
                status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
                attempts integer NOT NULL DEFAULT 0,
                response_status integer,
                response_body text,
                error text,
                next_attempt_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                completed_at timestamptz
            );
            CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
            CREATE INDEX webhook_deliveries_created_at_idx ON webhook_deliveries (created_at);

            -- Every attempt of a delivery: the answer's status and the start of its body.
            CREATE TABLE webhook_delivery_attempts (
                delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
                attempt integer NOT NULL,
                attempted_at timestamptz NOT NULL,
                response_status integer,
                response_body text,
                error text,
                duration_ms integer NOT NULL,
                PRIMARY KEY (delivery_id, attempt)
            );

            -- How far the dispatcher has read change_events (ChangeEvents.Position); one row, locked
            -- by the instance dispatching. Starts after the events already written.
            CREATE TABLE webhook_dispatch (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                xid xid8 NOT NULL,
                event_id bigint NOT NULL
            );
            INSERT INTO webhook_dispatch (xid, event_id) VALUES (pg_snapshot_xmin(pg_current_snapshot()), 0);
            """
    )
}
