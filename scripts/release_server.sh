# Sourced by scripts/bench.sh and scripts/soak.sh: run the release server for a measurement.
# The sourcing script sets ROOT, PORT and SERVER (the binary) and defines die and say.
#   JWT_SECRET   the key the server signs with (default: a fixed bench key)

export JWT_SECRET="${JWT_SECRET:-trellis-bench-secret-trellis-bench-secret}"

# GET $1 with bash's /dev/tcp (no curl needed); succeeds on HTTP 200.
probe() {
    local status
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
    IFS= read -r -t 2 status <&3 || status=""
    exec 3<&- 3>&-
    [[ "$status" == "HTTP/1."?" 200"* ]]
}

# Migrate and seed the database, then `serve --port $PORT "$@"` in the background, logging to
# SERVER_LOG; returns once /health answers. Sets SERVER_PID and stops the server on exit.
start_server() {
    [[ -x "$SERVER" ]] || die "$SERVER not found; build it with: swift build -c release --product Server"
    command -v wrk >/dev/null 2>&1 || die "wrk not found; run: make setup"
    if (probe /health) 2>/dev/null; then
        die "something already answers on 127.0.0.1:$PORT; pick another port"
    fi

    DATABASE_URL="$(scripts/db.sh url)"
    export DATABASE_URL
    say "migrate + seed ($DATABASE_URL)"
    "$SERVER" migrate
    "$SERVER" seed

    SERVER_LOG="$(mktemp "${TMPDIR:-/tmp}/trellis-$(basename "$0" .sh)-server.XXXXXX")"
    # A high sign-in limit: bench.sh signs in ~120 times a minute from one address.
    # One user loads it at thousands of requests a second: the API rate limit counts, set too high
    # to refuse; the pool is the size the soak's numbers were taken with.
    LOGIN_ATTEMPTS_PER_MINUTE=10000 RATE_LIMIT_PER_MINUTE=100000000 RATE_LIMIT_ANONYMOUS_PER_MINUTE=100000000 \
        DATABASE_POOL_SIZE="${DATABASE_POOL_SIZE:-20}" "$SERVER" serve --port "$PORT" "$@" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    trap stop_server EXIT

    local i
    for ((i = 0; i < 300; i++)); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$SERVER_LOG" >&2
            die "the server exited before answering on 127.0.0.1:$PORT (log above)"
        fi
        if (probe /health) 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    tail -n 20 "$SERVER_LOG" >&2
    die "no HTTP 200 from http://127.0.0.1:$PORT/health after 30s"
}

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
