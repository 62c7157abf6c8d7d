-- gcra_lib.lua for a take with one counter (the usual case), unrolled:
-- no tables on the way unless the string holds other counters too. Same
-- ARGV, same results (bi is 1); gcra1_commit.lua stores the new state.
-- gcra_head.lua comes first.
local floor, max = math.floor, math.max
local field = ARGV[first]
local t, cap = struct.unpack('<dd', ARGV[first + 1])

-- Our state, and the other live entries (verbatim) with the latest expiry.
local tat, others, olongest = 0, '', 0
if v then
  local pos, n = 1, #v
  while pos <= n do
    local f, algo, a, b, _, dl, nxt = struct.unpack(ENTRY, v, pos)
    if f == field then
      if algo == 1 then tat = max((a - sec) * E + (b - nsec), 0) else tat = 0 end
    elseif dl > nowf then
      others = others .. string.sub(v, pos, nxt - 1)
      olongest = max(olongest, dl - nowf)
    end
    pos = nxt
  end
end

local tau = cap * t
local reset = max(tat + math.min(cost, cap + 1) * t, 0)
local ok, retry = reset <= tau, 0
if not ok then retry, reset = reset - tau, tat end
local rem = (tau - reset) / t
if rem < 0 then rem = math.ceil(rem) else rem = floor(rem) end
local bi = 1
