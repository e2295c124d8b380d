extension CoreMigrations {
    /// `trellis_0010_account_email`: email delivered by `mailers` jobs (``EmailDelivery``), email
    /// verification, password reset (``AccountTokens``) and known devices (``KnownDevices``).
    static let accountEmail = Migration(
        id: "trellis_0010_account_email",
        sql: """
            -- Migration trellis_0010_account_email: adds the HTML part and the delivery state of
            -- email_outbox, users.email_verified_at, and creates account_tokens and user_devices.
            -- Safe to run: columns added without a rewrite (constant defaults), new tables.
            SET LOCAL lock_timeout = '5s';
            SET LOCAL statement_timeout = '1min';

            -- Rows queued before this migration had no job to send them: they stay 'unsent'.
            ALTER TABLE email_outbox
                ADD COLUMN html text,
                ADD COLUMN status text NOT NULL DEFAULT 'unsent' CHECK (status IN ('unsent', 'pending', 'sent', 'failed')),
                ADD COLUMN transport text,
                ADD COLUMN last_error text;
            ALTER TABLE email_outbox ALTER COLUMN status SET DEFAULT 'pending';
            CREATE INDEX email_outbox_created_at_idx ON email_outbox (created_at DESC, id DESC);

            ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

            -- Single-use tokens emailed to an account: verify_email (24 h) and reset_password (1 h).
            -- Only their SHA-256 is kept; the email they were sent to is, so a changed address
            -- voids them.
            CREATE TABLE account_tokens (
                id uuid PRIMARY KEY,
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
                token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
                email text NOT NULL,
                expires_at timestamptz NOT NULL,
                used_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose, created_at);

            -- The devices (a hash of the User-Agent) each user has signed in from: a sign-in from
            -- a new one is emailed to the user.
            CREATE TABLE user_devices (
                user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                fingerprint text NOT NULL,
                first_seen_at timestamptz NOT NULL DEFAULT now(),
                last_seen_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (user_id, fingerprint)
            );
            """
    )
}
