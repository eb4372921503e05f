-- wrk_static.lua — the baseline: GET /bench/static, the same libmicrohttpd
-- server answering a fixed 3-byte body with no register work (and no log
-- line), with the same headers as the other runs' requests.
--
--   wrk ... -s bench/wrk_static.lua URL -- TOKEN
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "wrk_report.lua")

local req

function init(args)
   req = wrk.format("GET", "/bench/static", {["Authorization"] = "Bearer " .. (args[1] or "")})
   used = 0
end

function request()
   used = used + 1
   return req
end
