-- The GCRA fast path: ratelimit's default algorithm alone, on the same
-- packed counters string as ratelimit_lib.lua (so either script may take
-- from it), with none of the other algorithms' machinery. The script that
-- includes it first sets `first`, the ARGV index of its first counter.
-- ARGV[1]: the cost, then now in seconds and nanoseconds unless the
-- server's TIME decides; from `first`, each counter's field, then its
-- emission interval (ns) and capacity (its burst). Numbers come as
-- little-endian doubles: one struct.unpack costs the server less than a
-- tonumber of each.
-- It sets ok, bi (1-based), rem, reset, retry for the tightest counter;
-- gcra_commit.lua stores every counter's new state.
local E = 1e9
local cost, sec, nsec
if #ARGV[1] == 8 then
  cost = struct.unpack('<d', ARGV[1])
  local t = redis.call('TIME')
  sec, nsec = tonumber(t[1]), tonumber(t[2]) * 1000
else
  cost, sec, nsec = struct.unpack('<ddd', ARGV[1])
end
local nowf = sec + nsec / E
local key = KEYS[1]
local ENTRY = '<Hc0Bdddd'
-- px is the time to live of a string whose last counter is full s
-- seconds from now: t and a second more, in milliseconds, as a string
-- (Redis formats a number argument with %.17g, which costs more).
local function px(s) return string.format('%d', math.ceil(s * 1000) + 1000) end

-- Read the stored entries: ours by field (algo, seconds, nanoseconds),
-- the others kept verbatim while they are still live.
local mine, keep = {}, {}
for i = first, #ARGV, 2 do mine[ARGV[i]] = false end
-- With a quota (gcra_both.lua), one MGET reads its counter too.
local v, stored
if KEYS[2] then
  local r = redis.call('MGET', key, KEYS[2])
  v, stored = r[1], r[2]
else
  v = redis.call('GET', key)
end
if v then
  local pos = 1
  while pos <= #v do
    local f, algo, a, b, _, dl, nxt = struct.unpack(ENTRY, v, pos)
    if mine[f] ~= nil then
      if algo == 1 then mine[f] = {a, b} end
    elseif dl > nowf then
      keep[#keep + 1] = {string.sub(v, pos, nxt - 1), dl}
    end
    pos = nxt
  end
end

local ok, bi, rem, reset, retry
local states = {}
for i = first, #ARGV, 2 do
  local t, cap = struct.unpack('<dd', ARGV[i + 1])
  local tau, c, tat = cap * t, math.min(cost, cap + 1), 0
  local st = mine[ARGV[i]]
  if st then tat = math.max((st[1] - sec) * E + (st[2] - nsec), 0) end
  local nx = math.max(tat + c * t, 0)
  local rok, rt = nx <= tau, 0
  if not rok then rt, nx = nx - tau, tat end
  local rm = (tau - nx) / t
  if rm < 0 then rm = math.ceil(rm) else rm = math.floor(rm) end
  states[#states + 1] = nx
  -- Report the tightest counter: a refusal over an admission, then the
  -- longest retry, the least remaining, the latest reset.
  if not bi or (rok ~= ok and not rok) or (rok == ok and ((not rok and rt > retry)
      or (rok and (rm < rem or (rm == rem and nx > reset))))) then
    ok, bi, rem, reset, retry = rok, #states, rm, nx, rt
  end
end
