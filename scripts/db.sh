#!/usr/bin/env bash
# Local PostgreSQL for development and tests.
#
#   scripts/db.sh start      init (if needed) and start the cluster, create the databases
#   scripts/db.sh stop       stop the cluster
#   scripts/db.sh reset      drop and recreate the `trellis` database (starts first if needed)
#   scripts/db.sh url        print the development database URL
#   scripts/db.sh test-url   print the test database URL
#   scripts/db.sh status     show where the cluster lives and whether it is running
#   scripts/db.sh psql       open psql on the development database
#
# Environment:
#   TRELLIS_PG_PORT    TCP port on 127.0.0.1 (default 54329)
#   TRELLIS_PG_DIR     the folder of a cluster of its own (data, socket, log) instead of the default
#                      below; tests that stop their database use one (DatabaseOutageTests)
#   DATABASE_URL       use this external database instead; start/stop do nothing
#   TEST_DATABASE_URL  test database URL (default: DATABASE_URL if set, else local trellis_test)
#
# As a normal user the cluster lives in .data/pg inside the checkout. As root it
# lives in /tmp/trellis-pg-<hash of the checkout path>/data, owned by the
# `postgres` user (initdb refuses to run as root, and the checkout may not be
# readable by `postgres`). The server log goes next to the data folder.
set -euo pipefail

PORT="${TRELLIS_PG_PORT:-54329}"
PG_USER=trellis
DEV_DB=trellis
TEST_DB=trellis_test

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

die() { echo "db.sh: error: $*" >&2; exit 1; }
say() { echo "db.sh: $*"; }

[[ "$PORT" =~ ^[0-9]+$ ]] || die "TRELLIS_PG_PORT must be a number, got '$PORT'"

local_url() { echo "postgres://${PG_USER}@127.0.0.1:${PORT}/$1"; }

dev_url() {
    if [[ -n "${DATABASE_URL:-}" ]]; then echo "$DATABASE_URL"; else local_url "$DEV_DB"; fi
}

test_url() {
    if [[ -n "${TEST_DATABASE_URL:-}" ]]; then echo "$TEST_DATABASE_URL"
    elif [[ -n "${DATABASE_URL:-}" ]]; then echo "$DATABASE_URL"
    else local_url "$TEST_DB"; fi
}

external() { [[ -n "${DATABASE_URL:-}" ]]; }

# --- cluster layout -------------------------------------------------------------

# Newest installed server binaries (Debian layout), e.g. /usr/lib/postgresql/15/bin.
find_pgbin() {
    local dir
    dir="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        echo "$dir"; return
    fi
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"; return
        fi
    fi
    die "no PostgreSQL server binaries found in /usr/lib/postgresql/*/bin; run 'make setup' (or scripts/setup.sh)"
}

HASH="$(printf '%s' "$ROOT" | md5sum | cut -c1-8)"
AS_ROOT=0
[[ "$(id -u)" -eq 0 ]] && AS_ROOT=1

if [[ -n "${TRELLIS_PG_DIR:-}" ]]; then
    BASE="$TRELLIS_PG_DIR"
    DATA="$BASE/data"
    SOCKDIR="$BASE"
elif [[ "$AS_ROOT" -eq 1 ]]; then
    BASE="/tmp/trellis-pg-${HASH}"
    DATA="$BASE/data"
    SOCKDIR="$BASE"
else
    BASE="$ROOT/.data"
    DATA="$BASE/pg"
    SOCKDIR="$BASE"
    # A Unix socket path (dir + "/.s.PGSQL.<port>") must fit in ~107 bytes.
    if (( ${#SOCKDIR} + 20 > 100 )); then
        SOCKDIR="/tmp/trellis-pg-${HASH}-$(id -u)"
    fi
fi
LOG="$BASE/postgres.log"

# Run a command as the cluster owner (the `postgres` user when we are root).
as_owner() {
    if [[ "$AS_ROOT" -eq 1 ]]; then
        # cd somewhere `postgres` can read: the checkout may be under /root.
        (cd "$BASE" && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Create the folders the cluster needs, with the right owner.
prepare_dirs() {
    if [[ "$AS_ROOT" -eq 1 ]]; then
        getent passwd postgres >/dev/null || die "running as root needs the 'postgres' user (install the postgresql package: make setup)"
        command -v runuser >/dev/null 2>&1 || die "running as root needs 'runuser' (util-linux)"
        if [[ ! -d "$BASE" ]]; then
            install -d -m 700 -o postgres -g postgres "$BASE"
        fi
        local owner
        owner="$(stat -c %U "$BASE")"
        [[ "$owner" == postgres ]] || die "$BASE is owned by '$owner', expected 'postgres'; remove it and retry"
    else
        mkdir -p "$BASE"
        if [[ "$SOCKDIR" != "$BASE" ]]; then
            [[ -d "$SOCKDIR" ]] || mkdir -m 700 "$SOCKDIR"
            [[ -O "$SOCKDIR" ]] || die "socket folder $SOCKDIR is not owned by you; remove it and retry"
        fi
    fi
}

PGBIN=""
need_pgbin() { [[ -n "$PGBIN" ]] || PGBIN="$(find_pgbin)"; }

is_running() {
    need_pgbin
    [[ -f "$DATA/PG_VERSION" ]] || return 1
    as_owner "$PGBIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

is_ready() {
    "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -d postgres >/dev/null 2>&1
}

# psql against the maintenance database over TCP (trust auth, any OS user).
admin_psql() {
    PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -d postgres "$@"
}

create_db_if_missing() {
    local db="$1" exists
    exists="$(admin_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")"
    if [[ "$exists" != 1 ]]; then
        admin_psql -c "CREATE DATABASE \"$db\" OWNER \"$PG_USER\" ENCODING 'UTF8' TEMPLATE template0"
        say "created database $db"
    fi
}

show_log_tail() {
    if [[ -f "$LOG" ]]; then
        echo "--- last lines of $LOG ---" >&2
        tail -n 20 "$LOG" >&2 || true
    fi
}

# --- commands -------------------------------------------------------------------

cmd_start() {
    if external; then
        say "DATABASE_URL is set; using the external database, not starting a local one"
        return
    fi
    need_pgbin
    prepare_dirs

    if [[ -f "$DATA/PG_VERSION" ]]; then
        local have want
        have="$(cat "$DATA/PG_VERSION")"
        want="$(basename "$(dirname "$PGBIN")")"
        if [[ "$want" =~ ^[0-9]+$ && "$have" != "$want" ]]; then
            die "cluster in $DATA was made by PostgreSQL $have but the binaries are $want ($PGBIN); remove $DATA (data will be lost) and retry"
        fi
    else
        if [[ -e "$DATA" ]] && [[ -n "$(ls -A "$DATA" 2>/dev/null)" ]]; then
            die "$DATA exists but is not a PostgreSQL cluster; remove it and retry"
        fi
        say "initialising cluster in $DATA"
        as_owner "$PGBIN/initdb" -D "$DATA" --auth=trust -U "$PG_USER" \
            --encoding=UTF8 --locale=C >"$BASE/initdb.log" 2>&1 \
            || { cat "$BASE/initdb.log" >&2; die "initdb failed (output above)"; }
    fi

    if is_running; then
        if ! is_ready; then
            die "the cluster in $DATA is running but not accepting connections on 127.0.0.1:$PORT (started with another TRELLIS_PG_PORT?); run 'scripts/db.sh stop' and retry"
        fi
        say "already running on 127.0.0.1:$PORT"
    else
        if is_ready; then
            die "something else is already listening on 127.0.0.1:$PORT; set TRELLIS_PG_PORT to another port"
        fi
        say "starting PostgreSQL ($PGBIN) on 127.0.0.1:$PORT, log: $LOG"
        # pg_ctl hands -o to /bin/sh, hence the single quotes around the socket dir.
        # A throwaway dev/test cluster: room for parallel test pools, no fsync.
        if ! as_owner "$PGBIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 -s \
            -o "-p $PORT -c listen_addresses=127.0.0.1 -k '$SOCKDIR' -c max_connections=200 -c fsync=off"; then
            show_log_tail
            die "PostgreSQL did not start (is port $PORT in use? set TRELLIS_PG_PORT)"
        fi
    fi

    local i
    for ((i = 0; i < 100; i++)); do
        is_ready && break
        sleep 0.1
    done
    is_ready || { show_log_tail; die "PostgreSQL is not accepting connections on 127.0.0.1:$PORT"; }

    create_db_if_missing "$DEV_DB"
    create_db_if_missing "$TEST_DB"
    say "ready: $(local_url "$DEV_DB")"
}

cmd_stop() {
    if external; then
        say "DATABASE_URL is set; using the external database, nothing to stop"
        return
    fi
    need_pgbin
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        say "no cluster in $DATA; nothing to stop"
        return
    fi
    if ! is_running; then
        say "not running"
        return
    fi
    as_owner "$PGBIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 -s \
        || { show_log_tail; die "could not stop PostgreSQL in $DATA"; }
    say "stopped"
}

cmd_reset() {
    if external; then
        die "DATABASE_URL is set; refusing to drop an external database (unset it to reset the local one)"
    fi
    cmd_start >/dev/null
    admin_psql -c "DROP DATABASE IF EXISTS \"$DEV_DB\" WITH (FORCE)"
    admin_psql -c "CREATE DATABASE \"$DEV_DB\" OWNER \"$PG_USER\" ENCODING 'UTF8' TEMPLATE template0"
    say "database $DEV_DB recreated (empty): $(local_url "$DEV_DB")"
}

cmd_status() {
    if external; then
        echo "database:  external (DATABASE_URL)"
        echo "url:       $(dev_url)"
        echo "test url:  $(test_url)"
        if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -d "$DATABASE_URL" >/dev/null 2>&1; then
            echo "state:     reachable"
        else
            echo "state:     not reachable (or pg_isready missing)"
            return 3
        fi
        return
    fi
    need_pgbin
    echo "binaries:  $PGBIN"
    echo "data:      $DATA"
    echo "socket:    $SOCKDIR"
    echo "log:       $LOG"
    echo "url:       $(dev_url)"
    echo "test url:  $(test_url)"
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        echo "state:     not initialised (run: scripts/db.sh start)"
        return 3
    elif ! is_running; then
        echo "state:     stopped"
        return 3
    elif is_ready; then
        echo "state:     running, accepting connections on 127.0.0.1:$PORT"
    else
        echo "state:     running, but NOT accepting connections on 127.0.0.1:$PORT"
        return 3
    fi
}

cmd_psql() {
    local psql=psql
    if ! external; then need_pgbin; psql="$PGBIN/psql"; fi
    command -v "$psql" >/dev/null 2>&1 || die "psql not found"
    exec "$psql" "$(dev_url)" "$@"
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    reset) cmd_reset ;;
    url) dev_url ;;
    test-url) test_url ;;
    status) cmd_status ;;
    psql) shift; cmd_psql "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) echo "db.sh: unknown command '$1'" >&2; usage >&2; exit 2 ;;
esac
