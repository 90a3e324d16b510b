-- wrk script for bench/web_load.py.
--
-- Arguments (after "--" on the wrk command line):
--   1. path template, e.g. "/articles/{id}" ("{id}" is replaced per request)
--   2. file of article ids, one per line ("" when the path has no "{id}")
--   3. most requests one wrk thread sends: the run is bounded in count as well as in time
--   4. random seed, so that two runs ask for the same articles in the same order
--
-- wrk itself counts only statuses >= 400 as errors; response() below counts every status
-- outside 200-299, and done() prints one "BENCH_JSON {...}" line that the harness parses.

local threads = {}
local template = "/"
local ids = {}
local max_requests = 0
local sent = 0
non2xx = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  template = args[1]
  if args[2] ~= nil and args[2] ~= "" then
    for line in io.lines(args[2]) do
      ids[#ids + 1] = line
    end
  end
  max_requests = tonumber(args[3])
  math.randomseed(tonumber(args[4]) * 1000 + thread_number)
end

function request()
  local path = template
  if #ids > 0 then
    path = (string.gsub(template, "{id}", ids[math.random(#ids)]))
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  sent = sent + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  if sent >= max_requests then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local non = 0
  for _, thread in ipairs(threads) do
    non = non + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
      .. '"write": %d, "status": %d, "timeout": %d, "non_2xx": %d, "p50_us": %d, '
      .. '"p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, non, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
