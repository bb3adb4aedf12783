-- wrk script for `POST /api/predict`: cycles through real Quick, Draw! drawings and checks every answer.
--
-- Environment: DOODLE_BODIES, a file of request bodies, one JSON object per line (bench_serve.sh makes it).
-- Prints, after wrk's own summary, the error count, wrk's latency percentiles and the server-side
-- `took_ms` percentiles gathered from the answers.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/api/predict"
  wrk.headers["Content-Type"] = "application/json"
  -- Whole requests, formatted once: the client shares the server's cores.
  requests = {}
  for line in io.lines(os.getenv("DOODLE_BODIES")) do
    table.insert(requests, wrk.format(nil, nil, nil, line))
  end
  if #requests == 0 then error("no request bodies in " .. os.getenv("DOODLE_BODIES")) end
  next_request = math.random(#requests)
  took = {}
  bad = 0
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

-- Looks only where the fields are, as the client shares the server's cores: `took_ms` is the answer's
-- last field, `predictions` its second (a pattern over the whole answer scanned all of it).
function response(status, headers, body)
  local ms = body:sub(-48):match('"took_ms":([%d%.eE%+%-]+)}$')
  if status ~= 200 or ms == nil or not body:find('"predictions":[{', 1, true) then
    bad = bad + 1
  else
    table.insert(took, tonumber(ms))
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  return sorted[math.max(1, math.ceil(#sorted * p))]
end

function done(summary, latency, requests)
  local all, bad_answers = {}, 0
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("took")) do table.insert(all, ms) end
    bad_answers = bad_answers + thread:get("bad")
  end
  table.sort(all)
  local errors = summary.errors
  local socket_errors = errors.connect + errors.read + errors.write + errors.timeout
  io.write(string.format("requests %d in %.2f s: %.0f requests/s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("errors: %d bad answers (non-200 or no predictions), %d socket errors, %d non-2xx\n",
    bad_answers, socket_errors, errors.status))
  io.write(string.format("latency (client) p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
  io.write(string.format("took_ms (server) p50 %.3f ms, p90 %.3f ms, p99 %.3f ms over %d answers\n",
    percentile(all, 0.5), percentile(all, 0.9), percentile(all, 0.99), #all))
end
