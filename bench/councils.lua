-- wrk script: GET PAGE (default /) on a random council among
-- bench-0001 … bench-N, so the load spreads over every council schema.
-- COUNCILS sets N; WIDTH the digits of the number in the slug (default 4).
local count = tonumber(os.getenv("COUNCILS") or "10")
local width = tonumber(os.getenv("WIDTH") or "4")
local page = os.getenv("PAGE") or "/"
local base = os.getenv("BASE") or "localhost"
local pattern = "bench-%0" .. width .. "d.%s"
math.randomseed(os.time())
request = function()
  local host = string.format(pattern, math.random(1, count), base)
  return wrk.format("GET", page, { ["Host"] = host })
end
