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

local ids, headers, purpose, body, nth

function init(args)
   local first, t = tonumber(args[4]), tonumber(args[5])
   local all = load_ids(args[1], first, math.huge)
   ids = {}
   for i = tid + 1, #all, t do ids[#ids + 1] = all[i] end
   all = nil
   collectgarbage()
   assert(#ids > 0, "no subject ids left from line " .. first)
   headers = {["Authorization"] = "Bearer " .. args[2]}
   purpose = args[3]
   body = args[6]
   if body and body ~= "" then
      headers["Content-Type"] = "application/json"
   else
      body = nil
   end
   used = 0
   nth = 0
end

function request()
   nth = nth + 1
   if nth > #ids then nth = 1 end
   used = used + 1
   return wrk.format("POST", "/api/v1/subjects/" .. ids[nth] .. "/consents/" .. purpose ..
                     "/withdraw", headers, body)
end
