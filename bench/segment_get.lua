-- wrk script: GET /api/v1/segments/{id} with random ids of the demo
-- project. TOKEN and MAX_ID come from the environment.
local token = os.getenv("TOKEN")
local max_id = tonumber(os.getenv("MAX_ID") or "100000")
math.randomseed(42)

request = function()
    local id = math.random(1, max_id)
    return wrk.format("GET", "/api/v1/segments/" .. id, {["Authorization"] = "Bearer " .. token})
end

done = function(summary, latency, requests)
    io.write(string.format("RESULT requests=%d errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
        summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
        summary.errors.write + summary.errors.timeout,
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
