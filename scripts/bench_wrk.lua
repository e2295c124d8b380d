-- wrk script for scripts/bench.sh: one workload against the bench data set (scripts/bench_data.sql),
-- chosen by environment variables, and one summary line that bench.sh reads.
--
--   BENCH_KIND     health | by_id | first_page | filtered | include | post | patch
--   BENCH_TOKEN    the bearer token (a member of bench org 1); not sent for health
--   BENCH_RATE     optional: send this many requests a second in all, spread evenly (see delay())
--   BENCH_THREADS  wrk's -t, to share BENCH_RATE among the threads (default 1)
--
-- Ids are picked at random among org 1's rows with a fixed seed per thread, so every run (and
-- every server) gets the same sequence of requests.
local kind = os.getenv("BENCH_KIND") or "health"
local token = os.getenv("BENCH_TOKEN") or ""

local function task_id(n)
    return string.format("0193a5c8-0000-7000-8000-b4%010d", n)
end

local function project_id(n)
    return string.format("0193a5c8-0000-7000-8000-b3%010d", n)
end

local fixed_paths = {
    health = "/health",
    first_page = "/api/v1/tasks?limit=20",
    include = "/api/v1/tasks?include=project&limit=20",
}

if kind ~= "health" then
    wrk.headers["Authorization"] = "Bearer " .. token
end

local statuses = { "todo", "doing", "done" }
-- wrk.format uses the headers it is given instead of wrk.headers: repeat the token.
local json_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
local counter = 0
-- This thread's number (1, 2, ...), from the global that setup() sets in each thread's state.
local thread_index = 0

if fixed_paths[kind] then
    -- A static request: wrk builds it once.
    wrk.path = fixed_paths[kind]
elseif kind == "by_id" or kind == "filtered" or kind == "post" or kind == "patch" then
    function request()
        if kind == "by_id" then
            return wrk.format("GET", "/api/v1/tasks/" .. task_id(math.random(1, 10000)))
        elseif kind == "filtered" then
            return wrk.format("GET", "/api/v1/tasks?project_id=" .. project_id(math.random(1, 50)) .. "&status=todo&limit=20")
        end
        counter = counter + 1
        if kind == "post" then
            local body = string.format(
                '{"project_id":"%s","title":"Bench POST %d-%d","priority":"high","estimate":"2.50"}',
                project_id(math.random(1, 50)), thread_index, counter
            )
            return wrk.format("POST", "/api/v1/tasks", json_headers, body)
        end
        local body = string.format(
            '{"title":"Bench PATCH %d-%d","status":"%s"}', thread_index, counter, statuses[math.random(1, 3)]
        )
        return wrk.format("PATCH", "/api/v1/tasks/" .. task_id(math.random(1, 10000)), json_headers, body)
    end
else
    error("BENCH_KIND must be health, by_id, first_page, filtered, include, post or patch; got " .. kind)
end

local threads_set_up = 0

function setup(thread)
    threads_set_up = threads_set_up + 1
    thread:set("thread_number", threads_set_up)
end

function init(args)
    thread_index = tonumber(thread_number) or 0
    math.randomseed(1000 + thread_index)
end

-- Pacing, as scripts/soak_pace.lua: each thread hands out send times one interval apart
-- (BENCH_THREADS / BENCH_RATE seconds); a connection waits for the next free one before each
-- request. A send time already past is not made up, so a server that falls behind gets no burst.
local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate and rate > 0 then
    local ffi = require("ffi")
    ffi.cdef [[
    struct bench_timespec { long tv_sec; long tv_nsec; };
    int clock_gettime(int clock, struct bench_timespec *now);
    ]]
    local timespec = ffi.new("struct bench_timespec")
    local function now_ms()
        ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
        return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
    end
    local interval_ms = tonumber(os.getenv("BENCH_THREADS") or "1") * 1000 / rate
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
end

function done(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        "bench: requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
        summary.requests, summary.duration, errors.status,
        errors.connect + errors.read + errors.write + errors.timeout,
        latency:percentile(50), latency:percentile(99)
    ))
end
