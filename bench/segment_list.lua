-- wrk script: a filtered list, GET /api/v1/segments?lot_id=&status=&limit=100,
-- walking the lots and statuses of the demo project. TOKEN from the environment.
local token = os.getenv("TOKEN")
local statuses = {"planned", "permitted", "in_construction", "civil_done", "cable_installed",
                  "spliced", "tested", "accepted"}
local n = 0

request = function()
    n = n + 1
    local path = string.format("/api/v1/segments?lot_id=%d&status=%s&limit=100",
        n % 3 + 1, statuses[n % 8 + 1])
    return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end

done = function(summary, latency, requests)
    io.write(string.format("RESULT requests=%d errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
        summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
        summary.errors.write + summary.errors.timeout,
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
