-- wrk script: GET / on a random council among bench-0001 … bench-N, so the
-- load spreads over every council schema (set N with the COUNCILS variable).
local count = tonumber(os.getenv("COUNCILS") or "10")
local base = os.getenv("BASE") or "localhost"
math.randomseed(os.time())
request = function()
  local host = string.format("bench-%04d.%s", math.random(1, count), base)
  return wrk.format("GET", "/", { ["Host"] = host })
end
