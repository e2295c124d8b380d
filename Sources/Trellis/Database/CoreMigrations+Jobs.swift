extension CoreMigrations {
    /// `trellis_0006_jobs`: the PostgreSQL job queue (``JobQueue``, ``JobWorker``).
    static let jobs = Migration(
        id: "trellis_0006_jobs",
        sql: """
            -- Migration trellis_0006_jobs: creates jobs, the queue of work done after a request.
            -- Safe to run: a new, empty table.
            SET LOCAL lock_timeout = '5s';
            SET LOCAL statement_timeout = '1min';

            -- A job is pending until a worker claims it (FOR UPDATE SKIP LOCKED), running while it
            -- works (heartbeat_at says it is alive), then completed, or pending again with a later
            -- run_at after a failure, or discarded once max_attempts have failed (last_error kept).
            CREATE TABLE jobs (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                queue text NOT NULL,
                kind text NOT NULL,
                args jsonb NOT NULL DEFAULT '{}',
                state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'completed', 'discarded')),
                attempts integer NOT NULL DEFAULT 0,
                max_attempts integer NOT NULL CHECK (max_attempts >= 1),
                run_at timestamptz NOT NULL DEFAULT now(),
                -- Same kind and key: one job at a time while it is pending or running.
                unique_key text,
                locked_by text,
                heartbeat_at timestamptz,
                last_error text,
                created_at timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz
            );
            CREATE INDEX jobs_fetch_idx ON jobs (queue, run_at, id) WHERE state = 'pending';
            CREATE UNIQUE INDEX jobs_unique_idx ON jobs (kind, unique_key) WHERE unique_key IS NOT NULL AND state IN ('pending', 'running');
            CREATE INDEX jobs_running_idx ON jobs (heartbeat_at) WHERE state = 'running';
            CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE state IN ('completed', 'discarded');
            """
    )
}

extension CoreMigrations {
    /// `trellis_0007_job_schedules`: the last minute each recurring job was enqueued for
    /// (``JobScheduler``), so that several instances enqueue each minute's job once.
    static let jobSchedules = Migration(
        id: "trellis_0007_job_schedules",
        sql: """
            -- Migration trellis_0007_job_schedules: creates job_schedules, one row per recurring job.
            -- Safe to run: a new, empty table.
            SET LOCAL lock_timeout = '5s';
            SET LOCAL statement_timeout = '1min';

            -- A scheduler enqueues a recurring job for a minute only by moving last_run_at forward
            -- to that minute, in the transaction that enqueues it: whoever moves it first enqueues.
            CREATE TABLE job_schedules (
                name text PRIMARY KEY,
                last_run_at timestamptz NOT NULL
            );
            """
    )
}
