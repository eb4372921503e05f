-- wrk_read.lua — purpose-bound reads: GET /api/v1/subjects/{id}?purpose=P
-- of subjects picked at random (uniformly, with replacement) from the whole
-- id file, a different random sequence in each wrk thread.
--
--   wrk ... -s bench/wrk_read.lua URL -- IDS_FILE TOKEN PURPOSE
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "wrk_report.lua")

local ids, pre, post

function init(args)
   ids = load_ids(args[1])
   pre, post = template("GET", "/api/v1/subjects/" .. HOLE .. "?purpose=" .. args[3],
                        {["Authorization"] = "Bearer " .. args[2]})
   math.randomseed(os.time() * 1000 + tid * 7919)
   used = 0
end

function request()
   used = used + 1
   return pre .. ids.get(math.random(ids.n)) .. post
end
