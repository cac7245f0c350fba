-- wrk script: POSTs pre-generated, pre-signed webhook bodies, each once (one per line of the
-- file named by the first script argument: "<hex signature> <body>"), and prints a JSON
-- summary with microsecond percentiles. The second argument skips lines already used by an
-- earlier run against the same server. Wraps around (and counts it) if the file runs out.
local bodies, signatures, count, next = {}, {}, 0, 0
wraps = 0 -- global: done() reads it through thread:get
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local signature, body = line:match("^(%x+) (.*)$")
    if signature then
      count = count + 1
      signatures[count], bodies[count] = signature, body
    end
  end
  next = (tonumber(args[2]) or 0) % math.max(count, 1)
end

function request()
  next = next + 1
  if next > count then
    next, wraps = 1, wraps + 1
  end
  return wrk.format("POST", "/api/calcom-webhook", {
    ["Content-Type"] = "application/json",
    ["X-Cal-Signature-256"] = signatures[next],
    ["X-Cal-Webhook-Version"] = "2021-10-20",
  }, bodies[next])
end

function done(summary, latency, requests)
  local wrapped = 0
  for _, thread in ipairs(threads) do wrapped = wrapped + (thread:get("wraps") or 0) end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"meanUs":%.1f,' ..
      '"wraps":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, wrapped, e.connect, e.read, e.write, e.status, e.timeout))
end
