-- wrk_read.lua — purpose-bound reads: GET /api/v1/subjects/{id}?purpose=P
-- of subjects picked at random (uniformly, with replacement) from the whole
-- id file, a different random sequence in each wrk thread.
--
--   wrk ... -s bench/wrk_read.lua URL -- IDS_FILE TOKEN PURPOSE
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "wrk_report.lua")

local ids, headers, purpose

function init(args)
   ids = load_ids(args[1])
   headers = {["Authorization"] = "Bearer " .. args[2]}
   purpose = args[3]
   math.randomseed(os.time() * 1000 + tid * 7919)
   used = 0
end

function request()
   used = used + 1
   local id = ids.get(math.random(ids.n))
   return wrk.format("GET", "/api/v1/subjects/" .. id .. "?purpose=" .. purpose, headers)
end
