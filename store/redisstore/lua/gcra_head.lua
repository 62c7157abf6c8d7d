-- The start of every GCRA fast-path script (gcra_lib.lua, gcra1_lib.lua):
-- ratelimit's default algorithm alone, on the same packed counters string
-- as ratelimit_lib.lua (so either script may take from it), with none of
-- the other algorithms' machinery. The script that includes it first sets
-- `first`, the ARGV index of its first counter.
-- ARGV[1]: the cost, then now in seconds and nanoseconds unless the
-- server's TIME decides; from `first`, each counter's field, then its
-- emission interval (ns) and capacity (its burst). Numbers come as
-- little-endian doubles: one struct.unpack costs the server less than a
-- tonumber of each.
-- It reads the clock and the stored counters string, v (and with a quota,
-- gcra_both.lua, the quota's counter, stored, in the same MGET).
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

local v, stored
if KEYS[2] then
  local r = redis.call('MGET', key, KEYS[2])
  v, stored = r[1], r[2]
else
  v = redis.call('GET', key)
end
