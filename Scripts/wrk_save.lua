-- wrk script for `POST /api/drawings`: saves real Quick, Draw! drawings in turn and counts every answer
-- that is not 201 Created.
--
-- Environment: DOODLE_SAVES, a file of request bodies, one JSON object per line (bench_store.sh makes it).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/api/drawings"
  wrk.headers["Content-Type"] = "application/json"
  requests = {}
  for line in io.lines(os.getenv("DOODLE_SAVES")) do
    table.insert(requests, wrk.format(nil, nil, nil, line))
  end
  if #requests == 0 then error("no request bodies in " .. os.getenv("DOODLE_SAVES")) end
  next_request = math.random(#requests)
  bad = 0
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function response(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local errors = 0
  for _, thread in ipairs(threads) do errors = errors + thread:get("bad") end
  io.write(string.format("saves: %d in %.1f s, %.0f/s; answers other than 201: %d; latency p50 %.2f ms, p99 %.2f ms\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), errors,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
