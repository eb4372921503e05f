-- wrk_withdraw.lua — consent withdrawals:
-- POST /api/v1/subjects/{id}/consents/{purpose}/withdraw, each to a
-- different subject. The ids from line FIRST on are split among the T wrk
-- threads (thread k takes every T-th id starting at FIRST + k), so no two
-- requests of a run withdraw the same person's consent; bench_server.sh
-- moves FIRST past the ids a run used, so later runs take fresh people.
-- A thread that runs out of ids starts over on its share (those
-- withdrawals then change nothing; the script warns about it).
--
--   wrk ... -s bench/wrk_withdraw.lua URL -- IDS_FILE TOKEN PURPOSE FIRST T [BODY]
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "wrk_report.lua")

local ids, pre, post, nth, first, step, count

function init(args)
   first, step = tonumber(args[4]) + tid, tonumber(args[5])
   ids = load_ids(args[1])
   -- this thread's share: lines first, first + step, ... up to the last
   count = first <= ids.n and math.floor((ids.n - first) / step) + 1 or 0
   assert(count > 0, "no subject ids left from line " .. args[4])
   local headers = {["Authorization"] = "Bearer " .. args[2]}
   local body = args[6]
   if body and body ~= "" then
      headers["Content-Type"] = "application/json"
   else
      body = nil
   end
   pre, post = template("POST", "/api/v1/subjects/" .. HOLE .. "/consents/" .. args[3] ..
                        "/withdraw", headers, body)
   used = 0
   nth = 0
end

function request()
   nth = nth + 1
   if nth > count then nth = 1 end
   used = used + 1
   return pre .. ids.get(first + (nth - 1) * step) .. post
end
