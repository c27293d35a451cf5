-- wrk script: POST /api/v1/progress-reports, each with its own
-- Idempotency-Key, on random segments of the contractor's lots. TOKEN and
-- SEGMENTS (a file of "id status built_length_m" lines, written by
-- run-api-bench.sh from the database) come from the environment. Each
-- report repeats its segment's status and built length, so every one is
-- valid however often a segment is reported on.
local token = os.getenv("TOKEN")
local segments = {}
for line in io.lines(os.getenv("SEGMENTS")) do
    local id, status, built = line:match("^(%d+)%s+(%S+)%s+(%S+)$")
    if id then
        if status == "planned" or status == "permitted" then
            status = "in_construction"
        end
        segments[#segments + 1] = string.format(
            '{"segment_id":%s,"report_date":"%s","built_length_m":%s,"status":"%s","note":"bench"}',
            id, os.date("!%Y-%m-%d"), built, status)
    end
end

local counter = 0
local threads = {}

setup = function(thread)
    thread:set("tid", #threads + 1)
    threads[#threads + 1] = thread
end

init = function()
    math.randomseed(tid * 7919)
    run = string.format("%d-%d", os.time(), math.random(1, 1e9))
end

request = function()
    counter = counter + 1
    local body = segments[math.random(1, #segments)]
    return wrk.format("POST", "/api/v1/progress-reports", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = string.format("bench-%s-%d-%d", run, tid, counter),
    }, body)
end

done = function(summary, latency, requests)
    io.write(string.format("RESULT requests=%d errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
        summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
        summary.errors.write + summary.errors.timeout,
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
