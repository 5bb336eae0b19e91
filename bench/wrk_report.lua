-- Prints wrk's summary as one JSON line (wrk's own output has no p95).
-- The request itself (method, body, headers) is set by bench/run.py through WRK_* globals.
if wrk_method then
  wrk.method = wrk_method
end
if wrk_body then
  wrk.body = wrk_body
end
if wrk_headers then
  for name, value in pairs(wrk_headers) do
    wrk.headers[name] = value
  end
end

if wrk_paths then
  -- Each thread takes the paths in turn (wrk.format fills in method, headers and body).
  local next_path = 0
  request = function()
    next_path = next_path % #wrk_paths + 1
    return wrk.format(nil, wrk_paths[next_path])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
