#!/usr/bin/env bash
# Benchmark the release build of the server with wrk (called by `make bench`,
# which builds the release server and starts the database first).
#   BENCH_PORT   port the server listens on (default 8089)
#   BENCH_PATH   path to hammer (default /health)
#   SERVER_BIN   the server binary (default .build/release/Server)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

PORT="${BENCH_PORT:-8089}"
URL_PATH="${BENCH_PATH:-/health}"
SERVER="${SERVER_BIN:-$ROOT/.build/release/Server}"

die() { echo "bench.sh: error: $*" >&2; exit 1; }
say() { echo "bench.sh: $*"; }

# shellcheck source=scripts/release_server.sh
source "$ROOT/scripts/release_server.sh"

start_server

say "wrk -t2 -c32 -d10s http://127.0.0.1:$PORT$URL_PATH (server log: $SERVER_LOG)"
wrk -t2 -c32 -d10s --latency "http://127.0.0.1:$PORT$URL_PATH"

say "sign-in timing (scripts/bench_login.py)"
"$ROOT/.venv/bin/python" "$ROOT/scripts/bench_login.py" "http://127.0.0.1:$PORT"
