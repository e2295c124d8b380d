#!/usr/bin/env bash
# Benchmark Trellis against a hand-written peer and against PostgreSQL itself, in one run, and
# write the table (called by `make bench`, which builds the release server, the peer and the debug
# generator, and starts the database first). Method: Benchmarks/README.md.
#
#   1. A database of its own (BENCH_DATABASE, default trellis_bench), recreated, migrated by the
#      server, seeded, then loaded with the bench data set (scripts/bench_data.sql): 2 orgs x 10,000
#      tasks under 100 projects. A token for bench@bench.test (member of org 1) comes from
#      `Server token`, the same signing code sign-in uses.
#   2. Trellis and the peer (Benchmarks/peers/hummingbird-postgres) side by side: each workload
#      (/health, GET by id, first page, filtered page, include page, POST, PATCH) on one server
#      right after the other (A B B A) with `wrk -t2 -c32 -d10s --latency`, as fast as it goes (the
#      peak), then at half that peak, paced (scripts/bench_wrk.lua), for the 99th percentile. Each
#      server's VmRSS after each peak and its VmHWM at the end. Then the data set is reloaded.
#   3. pgbench -M prepared -n -c32 -j2 -T10 on the generated Find and list statements.
#   4. The generator on 100 specs (scripts/bench_generator.sh); with BENCH_BUILD=1 also the debug
#      build after one spec edit (it edits specs/tasks.yaml and restores it).
#   5. The table, on stdout and in Benchmarks/results/<UTC date>-<hostname>.md.
# A workload that answered anything outside 200-399 (wrk's "Non-2xx or 3xx" count: 4xx and 5xx)
# or had socket errors is reported INVALID with that count, never as a rate.
#
#   BENCH_PORT       Trellis's port (default 8089)       BENCH_PEER_PORT  the peer's (default 8091)
#   BENCH_SECONDS    length of each wrk/pgbench run (default 10)
#   BENCH_DATABASE   the bench database's name (default trellis_bench; must contain "bench")
#   BENCH_BUILD      1: also time the incremental debug build after a spec edit
#   BENCH_LOGIN      0: skip the sign-in timing (scripts/bench_login.py)
#   SERVER_BIN       the Trellis server (default .build-bench/release/Server)
#   PEER_BIN         the peer (default Benchmarks/peers/hummingbird-postgres/.build/release/BenchPeer)
#   TRELLIS_CLI      the debug generator (default .build-bench-cli/debug/TrellisCLI)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

PORT="${BENCH_PORT:-8089}"
PEER_PORT="${BENCH_PEER_PORT:-8091}"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
DB_NAME="${BENCH_DATABASE:-trellis_bench}"
SERVER="${SERVER_BIN:-$ROOT/.build-bench/release/Server}"
PEER="${PEER_BIN:-$ROOT/Benchmarks/peers/hummingbird-postgres/.build/release/BenchPeer}"
CLI="${TRELLIS_CLI:-$ROOT/.build-bench-cli/debug/TrellisCLI}"
THREADS=2
CONNECTIONS=32
LUA="$ROOT/scripts/bench_wrk.lua"
KINDS=(health by_id first_page filtered include post patch)
BENCH_USER=bench@bench.test
ORG1=0193a5c8-0000-7000-8000-b10000000001
export JWT_SECRET="${JWT_SECRET:-trellis-bench-secret-trellis-bench-secret}"

die() { echo "bench.sh: error: $*" >&2; exit 1; }
say() { echo "bench.sh: $*" >&2; }

[[ "$SECONDS_PER_RUN" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a whole number of seconds, got '$SECONDS_PER_RUN'"
[[ "$DB_NAME" =~ ^[a-z_][a-z0-9_]*$ && "$DB_NAME" == *bench* ]] \
    || die "BENCH_DATABASE must be a plain lowercase name containing 'bench' (the bench empties its tables), got '$DB_NAME'"
[[ -x "$SERVER" ]] || die "$SERVER not found; build it: swift build -c release --product Server --scratch-path .build-bench"
[[ -x "$PEER" ]] || die "$PEER not found; build it: swift build -c release --package-path Benchmarks/peers/hummingbird-postgres"
command -v wrk >/dev/null 2>&1 || die "wrk not found; run: make setup"
command -v curl >/dev/null 2>&1 || die "curl not found (apt-get install curl)"

# --- tools -----------------------------------------------------------------------------------

PGBIN="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
find_pg_tool() {
    if [[ -x "$PGBIN/$1" ]]; then echo "$PGBIN/$1"
    elif command -v "$1" >/dev/null 2>&1; then command -v "$1"
    else return 1; fi
}
if ! find_pg_tool pgbench >/dev/null; then
    say "pgbench is missing: apt-get install postgresql-contrib"
    as_root=()
    [[ "$(id -u)" -eq 0 ]] || as_root=(sudo)
    "${as_root[@]}" apt-get update -q >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql-contrib >&2
    PGBIN="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi
PGBENCH="$(find_pg_tool pgbench)" || die "pgbench not found even after installing postgresql-contrib"
PSQL="$(find_pg_tool psql)" || die "psql not found; run: make setup"

# --- the database ----------------------------------------------------------------------------

BASE_URL="$(scripts/db.sh url)"
url_base="${BASE_URL%%\?*}"
url_query=""
[[ "$BASE_URL" == *\?* ]] && url_query="?${BASE_URL#*\?}"
ADMIN_URL="${url_base%/*}/postgres$url_query"
BENCH_URL="${url_base%/*}/$DB_NAME$url_query"

psql_admin() { "$PSQL" -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL" "$@"; }
psql_bench() { "$PSQL" -X -q -v ON_ERROR_STOP=1 "$BENCH_URL" "$@"; }

say "recreating database $DB_NAME ($BENCH_URL)"
psql_admin -c "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >&2
psql_admin -c "CREATE DATABASE \"$DB_NAME\" ENCODING 'UTF8' TEMPLATE template0" >&2
export DATABASE_URL="$BENCH_URL"
LOGDIR="$(mktemp -d "${TMPDIR:-/tmp}/trellis-bench.XXXXXX")"
"$SERVER" migrate >&2
"$SERVER" seed >&2

load_data() {
    say "loading the data set (scripts/bench_data.sql)"
    psql_bench -f "$ROOT/scripts/bench_data.sql" >&2
}
load_data
[[ "$(psql_bench -tAc "SELECT count(*) FROM tasks WHERE org_id = '$ORG1'")" == 10000 ]] || die "the data set did not load 10000 tasks into org 1"

# Access tokens last 15 minutes: a new one when the current one is 10 minutes old.
TOKEN=""
TOKEN_MINTED=0
refresh_token() {
    if [[ -z "$TOKEN" ]] || ((SECONDS - TOKEN_MINTED >= 600)); then
        TOKEN="$("$SERVER" token --email "$BENCH_USER" 2>>"$LOGDIR/token.log")" || die "could not mint a token for $BENCH_USER ($LOGDIR/token.log)"
        TOKEN_MINTED=$SECONDS
    fi
}

# --- servers ---------------------------------------------------------------------------------

declare -A PID=() BASE=()
stop_servers() {
    local who pid i
    for who in "${!PID[@]}"; do
        pid="${PID[$who]}"
        kill "$pid" 2>/dev/null || continue
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PID=()
}
trap stop_servers EXIT
trap 'exit 130' INT TERM # so that the EXIT trap runs

http_status() { # METHOD URL [BODY]: prints the status code; the body goes to $LOGDIR/body
    local args=(-s -o "$LOGDIR/body" -w '%{http_code}' -X "$1" --max-time 10)
    [[ -n "$TOKEN" ]] && args+=(-H "Authorization: Bearer $TOKEN")
    [[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    local code
    code="$(curl "${args[@]}" "$2")" || true # prints 000 when nothing answers
    echo "${code:-000}"
}

# start_server WHO PORT COMMAND...: runs it in the background, returns once /health answers 200.
start_server() {
    local who="$1" port="$2" log="$LOGDIR/$1.log" i
    shift 2
    if [[ "$(http_status GET "http://127.0.0.1:$port/health")" != 000 ]]; then
        die "something already answers on 127.0.0.1:$port; pick another port (BENCH_PORT, BENCH_PEER_PORT)"
    fi
    "$@" >"$log" 2>&1 &
    PID[$who]=$!
    BASE[$who]="http://127.0.0.1:$port"
    for ((i = 0; i < 300; i++)); do
        if ! kill -0 "${PID[$who]}" 2>/dev/null; then
            cat "$log" >&2
            die "$who exited before answering on 127.0.0.1:$port (log above)"
        fi
        [[ "$(http_status GET "${BASE[$who]}/health")" == 200 ]] && return 0
        sleep 0.1
    done
    tail -n 20 "$log" >&2
    die "no HTTP 200 from $who's /health after 30s"
}

proc_kb() { # WHO FIELD
    kill -0 "${PID[$1]}" 2>/dev/null || die "$1 exited (log: $LOGDIR/$1.log)"
    awk -v field="$2:" '$1 == field {print $2}' "/proc/${PID[$1]}/status"
}

# --- measurements ----------------------------------------------------------------------------

declare -A RATE NON2XX ERRORS P99 PACED_RATE PACED_P99 PACED_TARGET PREFLIGHT RSS_MAX HWM STATEMENT_TPS

# One request of KIND, by hand, to show what the server answers before wrk hammers it.
preflight() {
    local kind="$1" base="$2" status
    case "$kind" in
        health) status="$(TOKEN="" http_status GET "$base/health")" ;;
        by_id) status="$(http_status GET "$base/api/v1/tasks/0193a5c8-0000-7000-8000-b40000000001")" ;;
        first_page) status="$(http_status GET "$base/api/v1/tasks?limit=20")" ;;
        filtered) status="$(http_status GET "$base/api/v1/tasks?project_id=0193a5c8-0000-7000-8000-b30000000001&status=todo&limit=20")" ;;
        include) status="$(http_status GET "$base/api/v1/tasks?include=project&limit=20")" ;;
        post) status="$(http_status POST "$base/api/v1/tasks" \
            '{"project_id":"0193a5c8-0000-7000-8000-b30000000001","title":"Bench preflight","priority":"high","estimate":"2.50"}')" ;;
        patch) status="$(http_status PATCH "$base/api/v1/tasks/0193a5c8-0000-7000-8000-b40000000002" '{"title":"Bench preflight","status":"doing"}')" ;;
    esac
    echo "$status $(head -c 300 "$LOGDIR/body" | tr '\n' ' ')"
}

# wrk on KIND at BASE; RATE (optional) paces it. Prints "requests duration_us non2xx errors p50_us p99_us".
run_wrk() {
    local kind="$1" base="$2" rate="${3:-}" out path=/
    [[ "$kind" == health ]] && path=/health
    refresh_token
    out="$(BENCH_KIND="$kind" BENCH_TOKEN="$TOKEN" BENCH_RATE="$rate" BENCH_THREADS="$THREADS" \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$LUA" "$base$path" 2>&1)" || true
    printf '=== %s %s %s\n%s\n' "$kind" "$base" "${rate:-peak}" "$out" >>"$LOGDIR/wrk.log"
    sed -n 's/^bench: requests=\([0-9]*\) duration_us=\([0-9]*\) non2xx=\([0-9]*\) socket_errors=\([0-9]*\) p50_us=\([0-9]*\) p99_us=\([0-9]*\)$/\1 \2 \3 \4 \5 \6/p' <<<"$out" \
        | grep . || { echo "$out" >&2; die "no summary from wrk for $kind (output above)"; }
}

per_second() { awk -v n="$1" -v us="$2" 'BEGIN { if (us > 0) printf "%d", n * 1e6 / us; else print 0 }'; }

valid() { [[ "${PREFLIGHT[$1,$2]%% *}" == 2* && "${NON2XX[$1,$2]}" == 0 && "${ERRORS[$1,$2]}" == 0 ]]; }

# The peak of KIND on WHO: a request by hand, then wrk as fast as it goes, then the server's VmRSS.
peak() {
    local who="$1" kind="$2" requests us bad errors p99 rss
    refresh_token
    PREFLIGHT[$who,$kind]="$(preflight "$kind" "${BASE[$who]}")"
    say "$who $kind: preflight answered ${PREFLIGHT[$who,$kind]:0:100}"
    read -r requests us bad errors _ p99 <<<"$(run_wrk "$kind" "${BASE[$who]}")"
    RATE[$who,$kind]="$(per_second "$requests" "$us")"
    NON2XX[$who,$kind]=$bad
    ERRORS[$who,$kind]=$errors
    P99[$who,$kind]=$p99
    rss="$(proc_kb "$who" VmRSS)"
    ((rss > ${RSS_MAX[$who]:-0})) && RSS_MAX[$who]=$rss
    say "$who $kind: peak ${RATE[$who,$kind]}/s, p99 $p99 us, non-2xx $bad, socket errors $errors, VmRSS $rss kB"
}

# KIND on WHO at half its peak, paced, for the 99th percentile.
paced() {
    local who="$1" kind="$2" requests us bad errors p99
    PACED_RATE[$who,$kind]=""
    if ! valid "$who" "$kind" || ((${RATE[$who,$kind]} < 2)); then return 0; fi
    PACED_TARGET[$who,$kind]=$((${RATE[$who,$kind]} / 2))
    read -r requests us bad errors _ p99 <<<"$(run_wrk "$kind" "${BASE[$who]}" "${PACED_TARGET[$who,$kind]}")"
    PACED_RATE[$who,$kind]="$(per_second "$requests" "$us")"
    PACED_P99[$who,$kind]=$p99
    NON2XX[$who,$kind]=$((${NON2XX[$who,$kind]} + bad))
    ERRORS[$who,$kind]=$((${ERRORS[$who,$kind]} + errors))
    say "$who $kind: paced at ${PACED_TARGET[$who,$kind]}/s -> ${PACED_RATE[$who,$kind]}/s, p99 $p99 us"
}

LOAD_AVERAGES=()
note_load() { LOAD_AVERAGES+=("$1: $(cut -d' ' -f1-3 /proc/loadavg)"); }

# Both servers run side by side (the idle one costs nothing) and each workload runs on one right
# after the other, A B B A, so that whatever else loads the machine weighs on both alike. Trellis
# runs without the access log: the peer writes none either. Trellis gets the peer's pool (20
# connections; its default is 2 x processors) and its API rate limit on, set too high to refuse:
# every request is counted as in production. `trellis_unlimited` runs GET by id with it off.
export DATABASE_POOL_SIZE=20
refresh_token
say "Trellis: $SERVER serve --port $PORT --log-level warning"
LOGIN_ATTEMPTS_PER_MINUTE=10000 RATE_LIMIT_PER_MINUTE=100000000 RATE_LIMIT_ANONYMOUS_PER_MINUTE=100000000 \
    start_server trellis "$PORT" "$SERVER" serve --port "$PORT" --log-level warning
say "peer: $PEER --port $PEER_PORT"
start_server peer "$PEER_PORT" "$PEER" --port "$PEER_PORT"
for kind in "${KINDS[@]}"; do
    note_load "before $kind"
    peak trellis "$kind"
    peak peer "$kind"
    paced peer "$kind"
    paced trellis "$kind"
done
HWM[trellis]="$(proc_kb trellis VmHWM)"
HWM[peer]="$(proc_kb peer VmHWM)"
# The rate limit's cost: GET by id again on Trellis with the limit counting, and with it off, A B.
UNLIMITED_PORT="${BENCH_UNLIMITED_PORT:-8092}"
LOGIN_ATTEMPTS_PER_MINUTE=10000 RATE_LIMIT_PER_MINUTE=0 RATE_LIMIT_ANONYMOUS_PER_MINUTE=0 \
    start_server trellis_unlimited "$UNLIMITED_PORT" "$SERVER" serve --port "$UNLIMITED_PORT" --log-level warning
LIMITED_BY_ID="${RATE[trellis,by_id]}"
peak trellis by_id
LIMITED_BY_ID_AGAIN="${RATE[trellis,by_id]}"
RATE[trellis,by_id]="$LIMITED_BY_ID"
peak trellis_unlimited by_id

LOGIN_OUTPUT=""
if [[ "${BENCH_LOGIN:-1}" != 0 ]]; then
    say "sign-in timing (scripts/bench_login.py)"
    python="$ROOT/.venv/bin/python"
    [[ -x "$python" ]] || python=python3
    LOGIN_OUTPUT="$("$python" "$ROOT/scripts/bench_login.py" "${BASE[trellis]}" 2>&1)" || LOGIN_OUTPUT+=$'\n(bench_login.py failed)'
    echo "$LOGIN_OUTPUT" >&2
fi
stop_servers
load_data

# --- pgbench: the generated statements, prepared -----------------------------------------------

note_load "before pgbench"
COLUMNS_SQL="$(sed -n 's/^ *\(public \)\{0,1\}static let columns = "\(.*\)"$/\2/p' generated/swift/Tasks+Model.swift | head -n 1)"
[[ -n "$COLUMNS_SQL" ]] || die "no 'static let columns' in generated/swift/Tasks+Model.swift"
# The statements as Trellis's ListQuery and Find write them, every value a parameter ($1...) as the
# server binds it (org, status and the limit of 20 + 1 come from -D). pgbench's random variables are
# numbers, so an id is built from one in SQL: a concatenation and a cast, well under a microsecond.
TASK_ID="('0193a5c8-0000-7000-8000-b4' || lpad(:n, 10, '0'))::uuid"
PROJECT_ID="('0193a5c8-0000-7000-8000-b3' || lpad(:p, 10, '0'))::uuid"
cat >"$LOGDIR/find.sql" <<EOF
\set n random(1, 10000)
SELECT $COLUMNS_SQL FROM tasks WHERE id = $TASK_ID AND org_id = :org;
EOF
cat >"$LOGDIR/first_page.sql" <<EOF
SELECT $COLUMNS_SQL, (created_at)::text AS cursor_0 FROM tasks WHERE org_id = :org ORDER BY created_at DESC, id DESC LIMIT :limit;
EOF
cat >"$LOGDIR/filtered.sql" <<EOF
\set p random(1, 50)
SELECT $COLUMNS_SQL, (created_at)::text AS cursor_0 FROM tasks WHERE org_id = :org AND project_id = $PROJECT_ID AND status = (:status)::text ORDER BY created_at DESC, id DESC LIMIT :limit;
EOF
declare -A PGBENCH_FILE=([by_id]=find.sql [first_page]=first_page.sql [filtered]=filtered.sql)
for kind in by_id first_page filtered; do
    out="$("$PGBENCH" -M prepared -n -c "$CONNECTIONS" -j "$THREADS" -T "$SECONDS_PER_RUN" -D org="$ORG1" -D status=todo -D limit=21 \
        -f "$LOGDIR/${PGBENCH_FILE[$kind]}" "$BENCH_URL" 2>&1)" || { echo "$out" >&2; die "pgbench failed on ${PGBENCH_FILE[$kind]}"; }
    echo "$out" >>"$LOGDIR/pgbench.log"
    failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")"
    [[ "${failed:-0}" == 0 ]] || die "pgbench: $failed failed transactions on ${PGBENCH_FILE[$kind]} (log: $LOGDIR/pgbench.log)"
    STATEMENT_TPS[$kind]="$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' <<<"$out" | awk '{printf "%d", $1}')"
    [[ -n "${STATEMENT_TPS[$kind]}" ]] || { echo "$out" >&2; die "no tps in pgbench's output (above)"; }
    say "pgbench ${PGBENCH_FILE[$kind]}: ${STATEMENT_TPS[$kind]} statements/s"
done

# --- the generator (and, with BENCH_BUILD=1, the incremental build) ----------------------------

note_load "before the generator"
GENERATOR_LINES="$(BENCH_BUILD="${BENCH_BUILD:-0}" TRELLIS_CLI="$CLI" "$ROOT/scripts/bench_generator.sh")" \
    || die "scripts/bench_generator.sh failed"

# --- the report ------------------------------------------------------------------------------

declare -A LABELS=(
    [health]="/health"
    [by_id]="GET /api/v1/tasks/{id}"
    [first_page]="GET /api/v1/tasks?limit=20"
    [filtered]="GET /api/v1/tasks?project_id=P&status=todo&limit=20"
    [include]="GET /api/v1/tasks?include=project&limit=20"
    [post]="POST /api/v1/tasks"
    [patch]="PATCH /api/v1/tasks/{id}"
)
label() { echo "${LABELS[$1]}"; }

rate_cell() { # WHO KIND
    if valid "$1" "$2"; then
        printf "%s (p99 %s ms)" "${RATE[$1,$2]}" "$(ms "${P99[$1,$2]}")"
    else
        local status="${PREFLIGHT[$1,$2]%% *}"
        printf "**INVALID**: %s non-2xx, %s socket errors (answered %s)" "${NON2XX[$1,$2]}" "${ERRORS[$1,$2]}" "$status"
    fi
}
ms() { awk -v us="$1" 'BEGIN {printf "%.2f", us / 1000}'; }
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f", kb / 1024}'; }
verdict() { if awk -v v="$1" -v t="$2" 'BEGIN {exit !(v >= t)}'; then echo "PASS"; else echo "FAIL"; fi; }

ratio_target() { # KIND -> the Trellis/peer target, or empty
    case "$1" in by_id | first_page | filtered) echo 1.5 ;; *) echo "" ;; esac
}
ceiling_target() { case "$1" in by_id) echo 70 ;; first_page | filtered) echo 50 ;; esac; }

report() {
    local kind who cpu mem kernel swift_version pg_version
    cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    mem="$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    kernel="$(uname -srm)"
    swift_version="$(swift --version 2>/dev/null | head -n 1 || echo unknown)"
    pg_version="$(psql_bench -tAc 'SHOW server_version' 2>/dev/null || echo unknown)"

    echo "# Trellis benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(hostname)"
    echo
    echo "## Machine"
    echo
    echo "- CPU: $(nproc) cores ($cpu)"
    echo "- memory: $mem; kernel: $kernel"
    echo "- $swift_version"
    echo "- PostgreSQL $pg_version (scripts/db.sh cluster: fsync off, max_connections 200), database $DB_NAME"
    echo "- $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2); $("$PGBENCH" --version)"
    local loads
    loads="$(printf '%s; ' "${LOAD_AVERAGES[@]}")"
    echo "- load average (1, 5, 15 min): ${loads%; }"
    echo "- Trellis commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources specs generated 2>/dev/null || echo ' + uncommitted changes in Sources/specs/generated')"
    echo
    echo "## Throughput (wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, loopback, as fast as it goes)"
    echo
    echo "| endpoint | Trellis req/s | peer req/s | Trellis / peer | target |"
    echo "|---|---|---|---|---|"
    for kind in "${KINDS[@]}"; do
        local ratio="n/a" target check=""
        target="$(ratio_target "$kind")"
        if valid trellis "$kind" && valid peer "$kind" && ((${RATE[peer,$kind]} > 0)); then
            ratio="$(awk -v a="${RATE[trellis,$kind]}" -v b="${RATE[peer,$kind]}" 'BEGIN {printf "%.2fx", a / b}')"
            [[ -n "$target" ]] && check=" $(verdict "${ratio%x}" "$target")"
        elif [[ -n "$target" ]]; then
            check=" INVALID"
        fi
        echo "| $(label "$kind") | $(rate_cell trellis "$kind") | $(rate_cell peer "$kind") | $ratio | ${target:+>= ${target}x}$check |"
    done
    echo
    echo "## Against the ceiling: 1 / (1 / Trellis /health + 1 / pgbench)"
    echo
    echo "pgbench -M prepared -n -c$CONNECTIONS -j$THREADS -T$SECONDS_PER_RUN runs the generated statement (columns from"
    echo "generated/swift/Tasks+Model.swift), random ids and projects of org 1."
    echo
    echo "| endpoint | pgbench statement | statements/s | /health req/s | ceiling | Trellis req/s | % of ceiling | target |"
    echo "|---|---|---|---|---|---|---|---|"
    local health="${RATE[trellis,health]}"
    declare -A STATEMENT_LABEL=([by_id]="Find: WHERE id = \$1 AND org_id = \$2" [first_page]="first page: WHERE org_id = \$1 ORDER BY created_at DESC, id DESC LIMIT \$2 (21)" [filtered]="filtered: + AND project_id = \$2 AND status = \$3::text ('todo')")
    for kind in by_id first_page filtered; do
        local ceiling="n/a" share="n/a" check="" target trellis_cell="n/a"
        target="$(ceiling_target "$kind")"
        if valid trellis health; then
            ceiling="$(awk -v h="$health" -v p="${STATEMENT_TPS[$kind]}" 'BEGIN {printf "%d", 1 / (1 / h + 1 / p)}')"
        fi
        if valid trellis "$kind" && [[ "$ceiling" != n/a ]]; then
            trellis_cell="${RATE[trellis,$kind]}"
            share="$(awk -v t="${RATE[trellis,$kind]}" -v c="$ceiling" 'BEGIN {printf "%.0f%%", t * 100 / c}')"
            check=" $(verdict "${share%\%}" "$target")"
        else
            trellis_cell="**INVALID**"
            check=" INVALID"
        fi
        echo "| $(label "$kind") | ${STATEMENT_LABEL[$kind]} | ${STATEMENT_TPS[$kind]} | ${health} | $ceiling | $trellis_cell | $share | >= ${target}%$check |"
    done
    echo
    echo "## The API rate limit's cost (GET by id, Trellis alone, one run after the other)"
    echo
    echo "| rate limit | req/s | target |"
    echo "|---|---|---|"
    echo "| counting (RATE_LIMIT_PER_MINUTE=100000000) | ${LIMITED_BY_ID_AGAIN:-n/a} | |"
    local unlimited="${RATE[trellis_unlimited,by_id]:-0}" drop="n/a" check=""
    if ((unlimited > 0)) && [[ -n "${LIMITED_BY_ID_AGAIN:-}" ]]; then
        drop="$(awk -v on="$LIMITED_BY_ID_AGAIN" -v off="$unlimited" 'BEGIN {printf "%.1f", (off - on) * 100 / off}')"
        check=" $(awk -v d="$drop" 'BEGIN {print (d < 10) ? "met" : "MISSED"}')"
    fi
    echo "| off (RATE_LIMIT_PER_MINUTE=0) | $unlimited | |"
    echo "| drop with the limit on | ${drop}% | < 10%$check |"
    echo
    echo "## Latency at half of each server's own peak (paced, wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s)"
    echo
    echo "| endpoint | Trellis: target req/s -> achieved, p99 | target | peer: target req/s -> achieved, p99 |"
    echo "|---|---|---|---|"
    for kind in "${KINDS[@]}"; do
        local cells=()
        for who in trellis peer; do
            if [[ -n "${PACED_RATE[$who,$kind]:-}" ]] && valid "$who" "$kind"; then
                cells+=("${PACED_TARGET[$who,$kind]} -> ${PACED_RATE[$who,$kind]}/s, p99 $(ms "${PACED_P99[$who,$kind]}") ms")
            else
                cells+=("**INVALID** (no valid peak)")
            fi
        done
        local check="< 10 ms"
        if [[ -n "${PACED_RATE[trellis,$kind]:-}" ]] && valid trellis "$kind"; then
            if ((${PACED_P99[trellis,$kind]} < 10000)); then check+=" PASS"; else check+=" FAIL"; fi
        else
            check+=" INVALID"
        fi
        echo "| $(label "$kind") | ${cells[0]} | $check | ${cells[1]} |"
    done
    echo
    echo "## Memory (/proc/PID/status)"
    echo
    echo "| server | VmHWM (peak RSS) | highest VmRSS after a peak run | target |"
    echo "|---|---|---|---|"
    for who in trellis peer; do
        local check=""
        [[ "$who" == trellis ]] && check="< 128 MB $( ((HWM[trellis] < 131072)) && echo PASS || echo FAIL)"
        echo "| $who | $(mb "${HWM[$who]}") MB | $(mb "${RSS_MAX[$who]}") MB | $check |"
    done
    echo
    echo "## Generator and build"
    echo
    echo "| what | time |"
    echo "|---|---|"
    echo "$GENERATOR_LINES"
    echo
    local answered=0
    for who in trellis peer; do
        for kind in "${KINDS[@]}"; do
            if ! valid "$who" "$kind"; then
                if ((answered == 0)); then
                    echo "## Invalid runs"
                    echo
                    answered=1
                fi
                echo "- $who $(label "$kind"): ${NON2XX[$who,$kind]} answers outside 200-399 and ${ERRORS[$who,$kind]} socket errors; one request by hand answered: \`${PREFLIGHT[$who,$kind]:0:240}\`"
            fi
        done
    done
    ((answered == 0)) || echo
    if [[ -n "$LOGIN_OUTPUT" ]]; then
        echo "## Sign-in timing (Trellis, scripts/bench_login.py)"
        echo
        echo '```'
        echo "$LOGIN_OUTPUT"
        echo '```'
        echo
    fi
    echo "Method: Benchmarks/README.md. Logs of this run: $LOGDIR"
}

mkdir -p "$ROOT/Benchmarks/results"
RESULT="$ROOT/Benchmarks/results/$(date -u +%Y-%m-%d)-$(hostname).md"
report >"$RESULT"
cat "$RESULT"
say "written to ${RESULT#"$ROOT"/}"
