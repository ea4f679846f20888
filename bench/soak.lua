-- wrk script for bench/soak: a mix of what citizens read, on both demo
-- councils. PATHS (set by bench/soak) is a space-separated list of paths
-- of Toledo's seeded process; Talavera gets its home and process list.
local paths = {}
for path in string.gmatch(os.getenv("PATHS") or "/", "%S+") do
  table.insert(paths, path)
end
local base = os.getenv("BASE") or "localhost"
math.randomseed(os.time())
request = function()
  if math.random() < 0.2 then
    local other = { "/", "/processes", "/api/v1/processes" }
    return wrk.format("GET", other[math.random(#other)], { ["Host"] = "talavera." .. base })
  end
  return wrk.format("GET", paths[math.random(#paths)], { ["Host"] = "toledo." .. base })
end
