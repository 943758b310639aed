-- wrk script for POST /api/v1/quote at a fixed offered rate (bench/service_bench.py).
-- Each connection sends one request `interval` ms after its previous answer (wrk's
-- delay()), so connections / interval is the offered rate; the two bodies alternate as in the
-- Python open-loop client. Figures are printed as one parseable line at the end.
local bodies = {
  '{"region":"450802","coverage_year":2021,"payment_date":"2021-03-15","covered_years":[2018]}',
  '{"region":"450202","coverage_year":2025,"payment_date":"2024-12-03",' ..
    '"covered_years":[2019,2020],"back_pay_years":[2023]}',
}
local interval = 100
local connections = 1
local delays = 0
local i = 0

function init(args)
  interval = tonumber(args[1] or "100")
  connections = tonumber(args[2] or "1")
end

-- The connections' first requests are spread over one interval (wrk opens them all at
-- once): the offered requests then arrive evenly, not in bursts of `connections`.
function delay()
  delays = delays + 1
  if delays <= connections then
    return math.floor((delays - 1) * interval / connections)
  end
  return interval
end

function request()
  i = i + 1
  return wrk.format("POST", "/api/v1/quote", {["Content-Type"] = "application/json"},
                    bodies[(i % 2) + 1])
end

function done(summary, latency, requests)
  io.write(string.format(
    "WRK requests=%d seconds=%.3f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.errors.status))
end
