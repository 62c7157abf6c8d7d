-- take_both.lua for GCRA counters only: ARGV[2..5] are the quota's
-- initial, cost, limit and expire-at (as strings: the cost and expiry go
-- to Redis as they are); counters from ARGV[6]. The commit line is
-- replaced as in gcra.lua.
-- The lib read the quota counter (stored) with the rate-limit string.
local used = tonumber(stored or ARGV[2])
local qok = used <= tonumber(ARGV[4]) - tonumber(ARGV[3])
if ok and qok then
  --[[commit]]
  used = addCounter(KEYS[2], stored, used, ARGV[3], ARGV[5])
end
return struct.pack('<ddddddd', ok and 1 or 0, bi - 1, rem, reset, retry, used, qok and 1 or 0)
