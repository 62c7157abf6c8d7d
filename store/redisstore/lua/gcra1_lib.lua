-- gcra_lib.lua for a take with one counter (the usual case), unrolled:
-- no tables on the way unless the string holds other counters too. Same
-- ARGV, same results (bi is 1); gcra1_commit.lua stores the new state.
local E = 1e9
local floor, max = math.floor, math.max
local cost, sec, nsec
if #ARGV[1] == 8 then
  cost = struct.unpack('<d', ARGV[1])
  local t = redis.call('TIME')
  sec, nsec = tonumber(t[1]), tonumber(t[2]) * 1000
else
  cost, sec, nsec = struct.unpack('<ddd', ARGV[1])
end
local nowf = sec + nsec / E
local key, field = KEYS[1], ARGV[first]
local t, cap = struct.unpack('<dd', ARGV[first + 1])
local ENTRY = '<Hc0Bdddd'
-- px is the time to live of a string whose last counter is full s
-- seconds from now: t and a second more, in milliseconds, as a string
-- (Redis formats a number argument with %.17g, which costs more).
local function px(s) return string.format('%d', math.ceil(s * 1000) + 1000) end

-- Our state, and the other live entries (verbatim) with the latest expiry.
local tat, others, olongest = 0, '', 0
-- With a quota (gcra_both.lua), one MGET reads its counter too.
local v, stored
if KEYS[2] then
  local r = redis.call('MGET', key, KEYS[2])
  v, stored = r[1], r[2]
else
  v = redis.call('GET', key)
end
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
