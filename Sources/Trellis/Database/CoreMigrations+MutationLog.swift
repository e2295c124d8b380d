extension CoreMigrations {
    /// `trellis_0004_mutation_log`: the audit trail becomes `audit_logs` and records what each
    /// mutation of a resource changed; `change_events`, the transactional outbox of those
    /// mutations; `idempotency_keys`, the stored answers of requests sent with an `Idempotency-Key`.
    static let mutationLog = Migration(
        id: "trellis_0004_mutation_log",
        sql: """
            -- Migration trellis_0004_mutation_log: renames audit_events to audit_logs and gives it the
            -- resource, the real actor and the changed fields of each mutation; creates change_events
            -- and idempotency_keys.
            -- Safe to run: the rename and the new nullable columns change the catalog only; the new
            -- tables are empty. An instance still running the previous release writes audit_events,
            -- which stays as a view of audit_logs until a later release drops it.
            SET LOCAL lock_timeout = '5s';
            SET LOCAL statement_timeout = '1min';

            ALTER TABLE audit_events RENAME TO audit_logs;
            ALTER INDEX audit_events_pkey RENAME TO audit_logs_pkey;
            ALTER INDEX audit_events_org_id_created_at_idx RENAME TO audit_logs_org_id_created_at_idx;
            ALTER INDEX audit_events_user_id_created_at_idx RENAME TO audit_logs_user_id_created_at_idx;
            ALTER TABLE audit_logs
                ADD COLUMN resource_type text,
                ADD COLUMN resource_id uuid,
                -- Who really acted when a platform administrator acts as someone else.
                ADD COLUMN real_user_id uuid,
                -- {"field": {"before": ..., "after": ...}}; a sensitive field: {"field": {"changed": true}}.
                ADD COLUMN changes jsonb,
                -- What else the row records: a custom action's body, {"input": {...}}.
                ADD COLUMN details jsonb;
            CREATE VIEW audit_events AS
                SELECT id, action, user_id, org_id, api_key_id, subject_id, ip, user_agent, request_id, created_at FROM audit_logs;

            -- The outbox of resource mutations, written in the mutation's transaction. A reader takes
            -- the events of finished transactions only (xid below the snapshot's xmin), in (xid, id)
            -- order, so an event committed late is never skipped (see ChangeEvents).
            CREATE TABLE change_events (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_id uuid NOT NULL UNIQUE,
                type text NOT NULL,
                org_id uuid,
                resource_type text NOT NULL,
                resource_id uuid NOT NULL,
                data jsonb NOT NULL,
                user_id uuid,
                api_key_id uuid,
                request_id text,
                xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX change_events_xid_id_idx ON change_events (xid, id);
            CREATE INDEX change_events_created_at_idx ON change_events (created_at);

            -- A request's answer, stored with its change and replayed for the same key until it expires.
            -- scope: the caller (organization and user or API key); fingerprint: SHA-256 of the method,
            -- the path and the body.
            CREATE TABLE idempotency_keys (
                scope text NOT NULL,
                key text NOT NULL,
                fingerprint bytea NOT NULL,
                status smallint NOT NULL,
                headers jsonb NOT NULL,
                body bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                PRIMARY KEY (scope, key)
            );
            CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);

            """
    )

    /// `trellis_0005_audit_log_indexes`: "the history of this row", and the age the retention
    /// sweep deletes by, without blocking the audit trail's writers while they build.
    static let auditLogIndexes = Migration(
        id: "trellis_0005_audit_log_indexes",
        sql: """
            -- Migration trellis_0005_audit_log_indexes: indexes audit_logs by resource and by age.
            -- trellis:no-transaction
            -- Safe to run: CONCURRENTLY builds the index while audit_logs takes writes. Every step may run
            -- again: an index a failed build left INVALID is dropped first.
            SET lock_timeout = '5s';
            SET statement_timeout = '1h';
            DROP INDEX CONCURRENTLY IF EXISTS audit_logs_org_id_resource_idx;
            CREATE INDEX CONCURRENTLY audit_logs_org_id_resource_idx
                ON audit_logs (org_id, resource_type, resource_id, created_at);
            DROP INDEX CONCURRENTLY IF EXISTS audit_logs_created_at_idx;
            CREATE INDEX CONCURRENTLY audit_logs_created_at_idx ON audit_logs (created_at);
            RESET lock_timeout;
            RESET statement_timeout;

            """
    )
}
