-- The data set of `make bench` (scripts/bench.sh), loaded after `Server migrate` into the bench's
-- own database. Deterministic: fixed ids, names and timestamps; running it again gives the same
-- rows (tasks are emptied and reloaded, so what a POST or PATCH run wrote is gone).
--
--   2 organizations, 1 user each (bench@bench.test, member of org 1; bench2@bench.test, of org 2)
--   100 projects, 50 per organization
--   20,000 tasks, 10,000 per organization, 200 per project
--
-- Ids are 0193a5c8-0000-7000-8000-KKNNNNNNNNNN: a kind (b1 organization, b2 user, b3 project,
-- b4 task) and a decimal number, so load generators compute them: task n of org 1 is number n
-- (1..10000), of org 2 number 10000 + n; project p of org 1 is number p (1..50), of org 2 50 + p.
--
-- Task i (0..9999) of an organization: project i % 50 + 1 of that organization; status by
-- (i / 50) % 3 (todo, doing, done: 67 todo tasks in most projects); priority i % 4; due_on on every
-- 5th; assigned to the organization's user on every 7th; an estimate on every 2nd; created
-- 2026-02-01T00:00:00Z plus i minutes (newest first: task 9999 heads the first page).
\set ON_ERROR_STOP on
SET client_min_messages = warning;

DO $$
BEGIN
    IF current_database() NOT LIKE '%bench%' THEN
        RAISE EXCEPTION 'bench_data.sql empties the tasks table: run it only on a bench database (its name must contain "bench"), not %', current_database();
    END IF;
END
$$;

BEGIN;

CREATE TEMPORARY TABLE bench_orgs ON COMMIT DROP AS
SELECT o,
       ('0193a5c8-0000-7000-8000-b1' || lpad(o::text, 10, '0'))::uuid AS org_id,
       ('0193a5c8-0000-7000-8000-b2' || lpad(o::text, 10, '0'))::uuid AS user_id
FROM generate_series(1, 2) AS o;

INSERT INTO organizations (id, name, slug, created_at, updated_at)
SELECT org_id, 'Bench Org ' || o, 'bench-org-' || o, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
FROM bench_orgs
ON CONFLICT (id) DO NOTHING;

INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
SELECT user_id, CASE o WHEN 1 THEN 'bench@bench.test' ELSE 'bench' || o || '@bench.test' END, 'Bench User ' || o, NULL,
       '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
FROM bench_orgs
ON CONFLICT (id) DO NOTHING;

INSERT INTO memberships (org_id, user_id, role, created_at)
SELECT org_id, user_id, 'member', '2026-01-01T00:00:00Z'
FROM bench_orgs
ON CONFLICT (org_id, user_id) DO NOTHING;

INSERT INTO projects (id, org_id, name, slug, status, description, created_at, updated_at)
SELECT ('0193a5c8-0000-7000-8000-b3' || lpad(((o - 1) * 50 + p)::text, 10, '0'))::uuid,
       org_id,
       'Bench Project ' || lpad(p::text, 2, '0'),
       'bench-project-' || lpad(p::text, 2, '0'),
       'active',
       CASE WHEN p % 2 = 0 THEN 'The bench data set''s project number ' || p || '.' END,
       timestamptz '2026-01-15T00:00:00Z' + p * interval '1 minute',
       timestamptz '2026-01-15T00:00:00Z' + p * interval '1 minute'
FROM bench_orgs, generate_series(1, 50) AS p
ON CONFLICT (id) DO NOTHING;

-- The bench database holds nothing else: emptying the table resets its storage too, so every
-- server under test starts from the same rows, indexes and statistics.
TRUNCATE tasks CASCADE;

INSERT INTO tasks (id, org_id, project_id, title, status, priority, due_on, assignee_id, estimate, created_at, updated_at)
SELECT ('0193a5c8-0000-7000-8000-b4' || lpad(((o - 1) * 10000 + i + 1)::text, 10, '0'))::uuid,
       org_id,
       ('0193a5c8-0000-7000-8000-b3' || lpad(((o - 1) * 50 + i % 50 + 1)::text, 10, '0'))::uuid,
       'Task ' || lpad((i + 1)::text, 5, '0'),
       (ARRAY['todo', 'doing', 'done'])[(i / 50) % 3 + 1],
       (ARRAY['low', 'medium', 'high', 'urgent'])[i % 4 + 1],
       CASE WHEN i % 5 = 0 THEN date '2026-03-01' + i % 90 END,
       CASE WHEN i % 7 = 0 THEN user_id END,
       CASE WHEN i % 2 = 0 THEN ((i % 40) * 0.5)::numeric(6, 2) END,
       timestamptz '2026-02-01T00:00:00Z' + i * interval '1 minute',
       timestamptz '2026-02-01T00:00:00Z' + i * interval '1 minute'
FROM bench_orgs, generate_series(0, 9999) AS i;

COMMIT;

VACUUM (ANALYZE) tasks;
VACUUM (ANALYZE) projects;
ANALYZE organizations;
ANALYZE users;
ANALYZE memberships;
