-- wrk_report.lua — shared by bench/wrk_*.lua (loaded with dofile): the
-- per-thread bookkeeping and the one machine-readable result line that
-- bench/bench_server.sh parses.
--
-- Each wrk thread gets a number (tid, 0-based) in setup(); the threads'
-- request counters ("used") are summed in done(), so the caller knows how
-- many distinct subjects a run has consumed.

local threads = {}
local next_tid = 0

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

function done(summary, latency, requests)
   local used = 0
   for _, t in ipairs(threads) do
      used = used + (t:get("used") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      "WRKRESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d" ..
      " p999_us=%d max_us=%d mean_us=%.1f non2xx=%d connect=%d read=%d write=%d timeout=%d" ..
      " used=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max, latency.mean,
      e.status, e.connect, e.read, e.write, e.timeout, used))
end

-- Reads the subject ids (one a line) of lines [first, last] (1-based).
function load_ids(path, first, last)
   local ids, i = {}, 0
   local f = assert(io.open(path, "r"))
   for line in f:lines() do
      i = i + 1
      if i > last then break end
      if i >= first then ids[#ids + 1] = line end
   end
   f:close()
   return ids
end
