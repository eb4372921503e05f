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

-- The subject ids of the file at path: 36-character UUIDs, one a line. The
-- file is read whole into one string and id i (1-based) cut from it when
-- asked for: a few milliseconds, where a table of a million strings took a
-- second of each thread's init. That matters because wrk starts each thread
-- right after that thread's init, before the next thread's, and starts its
-- clock only after the last: a slow init let the first threads send
-- requests that count but fall outside the measured time.
function load_ids(path)
   local f = assert(io.open(path, "rb"))
   local all = f:read("*a")
   f:close()
   assert(#all > 0 and #all % 37 == 0 and all:sub(37, 37) == "\n",
          path .. ": not one 36-character id a line")
   return {
      n = #all / 37,
      get = function(i)
         local at = (i - 1) * 37
         return all:sub(at + 1, at + 36)
      end,
   }
end

-- A request with one 36-character hole ("#" * 36) in its path, made once
-- by wrk.format and cut around the hole: the request for an id is then
-- pre .. id .. post. Formatting each request anew (wrk.format walks the
-- header table and joins the lines) cost wrk about 5 us of CPU per
-- request, on the same two cores as the server (measured: user time per
-- read 11.3-12.5 us against 6.5-7.7 us).
HOLE = string.rep("#", 36)

function template(method, path, headers, body)
   local req = wrk.format(method, path, headers, body)
   local at = assert(req:find(HOLE, 1, true), "template: no hole in the path")
   return req:sub(1, at - 1), req:sub(at + #HOLE)
end
