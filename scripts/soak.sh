#!/usr/bin/env bash
# Soak the release build of the server (called by `make soak`, which builds the release server and
# starts the database first). Two workloads, 32 connections each: GET one seeded project by id, and
# GET the first page of projects (/api/v1/projects?limit=20).
#   1. A short wrk run of each, as fast as it goes, measures its peak rate.
#   2. Then every minute runs each workload for half a minute at SOAK_LOAD% of its peak, at a constant
#      rate (scripts/soak_pace.lua), and prints the server's resident memory (VmRSS) at the minute's
#      end with the rates and 99th-percentile latencies achieved.
# Fails when RSS at a later minute exceeds minute 1's by more than 5%, or on any answer outside
# 200-299 or socket error.
#   SOAK_PORT           port the server listens on (default 8090)
#   SOAK_MINUTES        minutes of paced load (default 10)
#   SOAK_LOAD           percent of the peak rate to drive (default 80)
#   SOAK_PEAK_SECONDS   length of each peak run (default 10)
#   SERVER_BIN          the server binary (default .build/release/Server)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

PORT="${SOAK_PORT:-8090}"
MINUTES="${SOAK_MINUTES:-10}"
LOAD="${SOAK_LOAD:-80}"
PEAK_SECONDS="${SOAK_PEAK_SECONDS:-10}"
SERVER="${SERVER_BIN:-$ROOT/.build/release/Server}"
TOLERANCE=5 # percent of minute 1's RSS

die() { echo "soak.sh: error: $*" >&2; exit 1; }
say() { echo "soak.sh: $*"; }

[[ "$MINUTES" =~ ^[1-9][0-9]*$ ]] || die "SOAK_MINUTES must be a whole number of minutes, got '$MINUTES'"
[[ "$LOAD" =~ ^[1-9][0-9]?$|^100$ ]] || die "SOAK_LOAD must be a percentage from 1 to 100, got '$LOAD'"
[[ "$PEAK_SECONDS" =~ ^[1-9][0-9]*$ ]] || die "SOAK_PEAK_SECONDS must be a whole number of seconds, got '$PEAK_SECONDS'"

# shellcheck source=scripts/release_server.sh
source "$ROOT/scripts/release_server.sh"

# The access log writes ~250 bytes a request, gigabytes over a soak: log warnings only.
start_server --log-level warning

BY_ID="/api/v1/projects/0193a5c8-0000-7000-8000-0c0000000001" # DemoData.projectID(1)
LIST="/api/v1/projects?limit=20"

# Access tokens last 15 minutes: mint a new one when the current one is 10 minutes old.
TOKEN=""
TOKEN_MINTED=0
refresh_token() {
    if [[ -z "$TOKEN" ]] || ((SECONDS - TOKEN_MINTED >= 600)); then
        TOKEN="$("$SERVER" token --email owner@acme.test 2>>"$SERVER_LOG")" || die "could not mint a token (log: $SERVER_LOG)"
        TOKEN_MINTED=$SECONDS
    fi
}

rss_kb() {
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited (log: $SERVER_LOG)"
    awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"
}
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f MB", kb / 1024}'; }

# Peak requests/s of PATH: wrk as fast as it goes.
peak() {
    local out
    out="$(wrk -t2 -c32 -d"${PEAK_SECONDS}s" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1")"
    if grep -q -e '^  Non-2xx' -e '^  Socket errors' <<<"$out"; then
        echo "$out" >&2
        die "errors while measuring the peak of $1 (wrk output above; server log: $SERVER_LOG)"
    fi
    awk '/^Requests\/sec:/ {printf "%d", $2}' <<<"$out"
}

# PATH at RATE requests/s for SECONDS; prints "requests duration_us non2xx socket_errors p99_us".
paced() {
    local out
    out="$(PACE_RATE="$2" PACE_THREADS=2 wrk -t2 -c32 -d"$3s" -s "$ROOT/scripts/soak_pace.lua" \
        -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1")"
    sed -n 's/^pace: requests=\([0-9]*\) duration_us=\([0-9]*\) non2xx=\([0-9]*\) socket_errors=\([0-9]*\) p99_us=\([0-9]*\)$/\1 \2 \3 \4 \5/p' <<<"$out" \
        | grep . || { echo "$out" >&2; die "no summary from wrk (output above)"; }
}

refresh_token
say "server log: $SERVER_LOG; RSS at start $(mb "$(rss_kb)")"
say "peak rates (wrk -t2 -c32 -d${PEAK_SECONDS}s, as fast as it goes):"
peak_by_id="$(peak "$BY_ID")"
peak_list="$(peak "$LIST")"
rate_by_id=$((peak_by_id * LOAD / 100))
rate_list=$((peak_list * LOAD / 100))
((rate_by_id > 0 && rate_list > 0)) || die "a peak rate of 0 requests/s (by id: $peak_by_id, list: $peak_list)"
say "  by id  GET $BY_ID: $peak_by_id requests/s"
say "  list   GET $LIST: $peak_list requests/s"
say "soak: $MINUTES minutes, each 30 s of by id at $rate_by_id/s then 30 s of list at $rate_list/s ($LOAD% of peak)"

baseline=0
worst=0
worst_minute=0
bad_answers=0
for ((minute = 1; minute <= MINUTES; minute++)); do
    refresh_token
    by_id="$(paced "$BY_ID" "$rate_by_id" 30)"
    list="$(paced "$LIST" "$rate_list" 30)"
    read -r id_requests id_us id_bad id_errors id_p99 <<<"$by_id"
    read -r list_requests list_us list_bad list_errors list_p99 <<<"$list"
    rss="$(rss_kb)"
    bad_answers=$((bad_answers + id_bad + id_errors + list_bad + list_errors))
    if ((minute == 1)); then
        baseline=$rss
        growth="baseline"
    else
        growth="$(awk -v now="$rss" -v base="$baseline" 'BEGIN {printf "%+.1f%%", (now - base) * 100 / base}')"
        if ((rss > worst)); then worst=$rss; worst_minute=$minute; fi
    fi
    awk -v m="$minute" -v rss="$(mb "$rss")" -v growth="$growth" \
        -v ir="$id_requests" -v iu="$id_us" -v it="$rate_by_id" -v ip="$id_p99" \
        -v lr="$list_requests" -v lu="$list_us" -v lt="$rate_list" -v lp="$list_p99" \
        -v bad="$((id_bad + list_bad))" -v errors="$((id_errors + list_errors))" 'BEGIN {
            printf "soak.sh: minute %2d  RSS %9s %-9s  by id %5.0f/s (target %d) p99 %5.1f ms  list %5.0f/s (target %d) p99 %5.1f ms  non-2xx %d  socket errors %d\n",
                m, rss, growth, ir * 1e6 / iu, it, ip / 1000, lr * 1e6 / lu, lt, lp / 1000, bad, errors
        }'
done

status=0
if ((bad_answers > 0)); then
    say "FAIL: $bad_answers answers outside 200-299 or socket errors (server log: $SERVER_LOG)"
    status=1
fi
if ((MINUTES > 1)); then
    if ((worst * 100 > baseline * (100 + TOLERANCE))); then
        say "FAIL: RSS grew from $(mb "$baseline") at minute 1 to $(mb "$worst") at minute $worst_minute, more than $TOLERANCE%"
        status=1
    else
        say "RSS stayed within $TOLERANCE% of minute 1's $(mb "$baseline") (highest later: $(mb "$worst") at minute $worst_minute)"
    fi
fi
((status == 0)) && say "PASS"
exit "$status"
