-- wrk script for POST /api/v1/payments, one distinct payment per request
-- (bench/service_bench.py), each connection sending its next payment when answered.
-- Arguments: a file of ID numbers (one per line, persons already registered) and the
-- clerk's bearer token.
-- Payment k is for the k-th ID number with its own channel transaction ID; an answer other
-- than 201 Created (a replay, a conflict, an error) is counted. One parseable line at the end.
local ids = {}
local headers = {["Content-Type"] = "application/json"}
local i = 0
bad = 0

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    ids[#ids + 1] = line
  end
  headers["Authorization"] = "Bearer " .. args[2]
end

function request()
  i = i + 1
  local id = ids[((i - 1) % #ids) + 1]
  return wrk.format("POST", "/api/v1/payments", headers, string.format(
    '{"id_number":"%s","coverage_year":2021,"channel":"tax12366_wechat",' ..
    '"channel_txn_id":"W%s","amount":"280.00","paid_at":"2020-10-15T09:00:00"}', id, id))
end

function response(status, hdrs, body)
  if status ~= 201 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local not_created = 0
  for _, thread in ipairs(threads) do
    not_created = not_created + thread:get("bad")
  end
  io.write(string.format(
    "WRK requests=%d seconds=%.3f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, not_created))
end
