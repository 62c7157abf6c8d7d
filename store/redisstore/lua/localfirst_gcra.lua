-- Pushes counts taken locally (LocalFirst) into a caller's GCRA counters,
-- on the packed counters string the other rate-limit scripts share (see
-- gcra_lib.lua), and returns their global state. The units are forced in,
-- never refused: they were already admitted, and the debt they leave makes
-- every instance refuse until it drains.
-- KEYS[1] the caller's counters. ARGV[1], ARGV[2]: now in seconds and
-- nanoseconds (both '' to read the server's TIME: clock.lua, put before
-- it, reads them); then, for each
-- counter, its field, emission interval (ns) and the units to add (may be
-- 0 to only read, or negative to give back).
-- Returns each counter's theoretical arrival time after the push, in
-- nanoseconds from now (0: full).
local nowf = sec + nsec / E
local key = KEYS[1]
local ENTRY = '<Hc0Bdddd'

-- Our counters' states by field (relative TAT, ns), and the other live
-- entries kept verbatim.
local tat, parts, longest = {}, {}, 0
for i = 3, #ARGV, 3 do tat[ARGV[i]] = 0 end
local v = redis.call('GET', key)
if v then
  local pos = 1
  while pos <= #v do
    local f, algo, a, b, _, dl, nxt = struct.unpack(ENTRY, v, pos)
    if tat[f] ~= nil then
      if algo == 1 then tat[f] = math.max((a - sec) * E + (b - nsec), 0) end
    elseif dl > nowf then
      parts[#parts + 1] = string.sub(v, pos, nxt - 1)
      longest = math.max(longest, dl - nowf)
    end
    pos = nxt
  end
end

-- The same forced step as a take the GCRA admits: max(tat + units*t, 0).
local out = {}
for i = 3, #ARGV, 3 do
  local f = ARGV[i]
  local r = math.max(tat[f] + tonumber(ARGV[i + 2]) * tonumber(ARGV[i + 1]), 0)
  tat[f] = r
  out[#out + 1] = r
end
local done = {}
for i = 3, #ARGV, 3 do
  local f = ARGV[i]
  local r = tat[f]
  if not done[f] and r > 0 then
    local x = nsec + r
    local ds = math.floor(x / E)
    parts[#parts + 1] = struct.pack(ENTRY, #f, f, 1, sec + ds, x - ds * E, 0, nowf + r / E)
    longest = math.max(longest, r / E)
  end
  done[f] = true
end
if #parts == 0 then
  redis.call('DEL', key)
else
  redis.call('SET', key, table.concat(parts), 'PX', math.ceil(longest * 1000) + 1000)
end
return out
