extension CoreMigrations {
    /// `trellis_0002_accounts`: sessions with rotating refresh tokens, API keys, invitations, the
    /// audit trail, the email outbox and the counters behind login throttling.
    ///
    /// Secrets (refresh tokens, API keys, invitation tokens) are stored only as SHA-256 digests.
    static let accounts = Migration(
        id: "trellis_0002_accounts",
        sql: """
            -- Migration trellis_0002_accounts: sessions and refresh tokens, API keys, invitations,
            -- audit events, the email outbox and rate-limit windows.
            -- Safe to run: it only creates new, empty tables and their indexes.
            SET LOCAL lock_timeout = '5s';
            SET LOCAL statement_timeout = '1min';

            -- A session is one sign-in: a family of refresh tokens, each used once. `sid` in the
            -- access token names it, so logout revokes exactly it.
            CREATE TABLE sessions (
                id uuid PRIMARY KEY,
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                ip text,
                user_agent text,
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz
            );
            CREATE INDEX sessions_user_id_idx ON sessions (user_id);

            CREATE TABLE refresh_tokens (
                token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
                session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                expires_at timestamptz NOT NULL,
                used_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

            CREATE TABLE api_keys (
                id uuid PRIMARY KEY,
                org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                created_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
                prefix text NOT NULL,
                key_hash bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
                scopes text[] NOT NULL,
                expires_at timestamptz,
                revoked_at timestamptz,
                last_used_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX api_keys_org_id_idx ON api_keys (org_id);

            CREATE TABLE invitations (
                id uuid PRIMARY KEY,
                org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
                email text NOT NULL,
                role text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
                invited_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
                expires_at timestamptz NOT NULL,
                accepted_at timestamptz,
                declined_at timestamptz,
                revoked_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            -- One pending invitation per address and organization.
            CREATE UNIQUE INDEX invitations_pending_key ON invitations (org_id, lower(email))
                WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL;

            -- The audit trail outlives what it mentions: no foreign keys.
            CREATE TABLE audit_events (
                id uuid PRIMARY KEY,
                action text NOT NULL,
                user_id uuid,
                org_id uuid,
                api_key_id uuid,
                subject_id uuid,
                ip text,
                user_agent text,
                request_id text,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX audit_events_org_id_created_at_idx ON audit_events (org_id, created_at);
            CREATE INDEX audit_events_user_id_created_at_idx ON audit_events (user_id, created_at);

            -- Outgoing email, delivered by a worker (until then the dev transport logs each one).
            CREATE TABLE email_outbox (
                id uuid PRIMARY KEY,
                recipient text NOT NULL,
                subject text NOT NULL,
                body text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                sent_at timestamptz
            );

            -- Fixed one-minute windows shared by every instance: (key, window start) -> hits.
            CREATE TABLE rate_limit_windows (
                key text NOT NULL,
                window_start timestamptz NOT NULL,
                hits integer NOT NULL,
                PRIMARY KEY (key, window_start)
            );

            """
    )
}
