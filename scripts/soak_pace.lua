-- wrk script for scripts/soak.sh: send PACE_RATE requests a second in all over PACE_THREADS
-- threads (wrk -t), and report the run on one line that soak.sh reads.
--
-- Each thread hands out send times one interval apart (PACE_THREADS / PACE_RATE seconds) and a
-- connection waits for the next free one before each request, so the rate does not depend on the
-- latency. A send time already past is not made up: a server that falls behind gets no burst.
local ffi = require("ffi")
ffi.cdef [[
struct pace_timespec { long tv_sec; long tv_nsec; };
int clock_gettime(int clock, struct pace_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("struct pace_timespec")

local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
    return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local interval_ms = tonumber(os.getenv("PACE_THREADS") or "1") * 1000 / tonumber(os.getenv("PACE_RATE") or "1000")
local next_send = nil

function delay()
    local now = now_ms()
    if next_send == nil or next_send < now then
        next_send = now
    end
    local wait = next_send - now
    next_send = next_send + interval_ms
    return wait
end

-- Answers outside 200-299 (wrk's own count starts at 400).
non2xx = 0

function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    end
end

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function done(summary, latency, requests)
    local bad = 0
    for _, thread in ipairs(threads) do
        bad = bad + thread:get("non2xx")
    end
    local errors = summary.errors
    io.write(string.format(
        "pace: requests=%d duration_us=%d non2xx=%d socket_errors=%d p99_us=%d\n",
        summary.requests, summary.duration, bad,
        errors.connect + errors.read + errors.write + errors.timeout, latency:percentile(99)
    ))
end
