#!/usr/bin/env bash
# Benchmark the release build of the server with wrk (called by `make bench`,
# which builds .build/release/Server and starts the database first).
#   BENCH_PORT   port the server listens on (default 8089)
#   BENCH_PATH   path to hammer (default /health)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

PORT="${BENCH_PORT:-8089}"
URL_PATH="${BENCH_PATH:-/health}"
SERVER="$ROOT/.build/release/Server"

die() { echo "bench.sh: error: $*" >&2; exit 1; }
say() { echo "bench.sh: $*"; }

[[ -x "$SERVER" ]] || die "$SERVER not found; build it with: swift build -c release --product Server"
command -v wrk >/dev/null 2>&1 || die "wrk not found; run: make setup"

# GET $URL_PATH with bash's /dev/tcp (no curl needed); succeeds on HTTP 200.
probe() {
    local status
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$URL_PATH" >&3
    IFS= read -r -t 2 status <&3 || status=""
    exec 3<&- 3>&-
    [[ "$status" == "HTTP/1."?" 200"* ]]
}

if (probe) 2>/dev/null; then
    die "something already answers on 127.0.0.1:$PORT; set BENCH_PORT to a free port"
fi

DATABASE_URL="$(scripts/db.sh url)"
export DATABASE_URL

say "migrate + seed ($DATABASE_URL)"
"$SERVER" migrate
"$SERVER" seed

LOG="$(mktemp "${TMPDIR:-/tmp}/trellis-bench-server.XXXXXX")"
# A high sign-in limit: the timing run below signs in ~120 times a minute from one address.
JWT_SECRET="${JWT_SECRET:-trellis-bench-secret-trellis-bench-secret}" LOGIN_ATTEMPTS_PER_MINUTE=10000 \
    "$SERVER" serve --port "$PORT" >"$LOG" 2>&1 &
SERVER_PID=$!

stop_server() {
    kill -0 "$SERVER_PID" 2>/dev/null || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT

ready=0
for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$LOG" >&2
        die "the server exited before answering on 127.0.0.1:$PORT (log above)"
    fi
    if (probe) 2>/dev/null; then ready=1; break; fi
    sleep 0.1
done
[[ "$ready" -eq 1 ]] || { tail -n 20 "$LOG" >&2; die "no HTTP 200 from http://127.0.0.1:$PORT$URL_PATH after 30s"; }

say "wrk -t2 -c32 -d10s http://127.0.0.1:$PORT$URL_PATH (server log: $LOG)"
wrk -t2 -c32 -d10s --latency "http://127.0.0.1:$PORT$URL_PATH"

say "sign-in timing (scripts/bench_login.py)"
"$ROOT/.venv/bin/python" "$ROOT/scripts/bench_login.py" "http://127.0.0.1:$PORT"
