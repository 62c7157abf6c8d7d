-- take_both.lua for GCRA counters only: ARGV[4..7] are the quota's
-- initial, cost, limit and expire-at; counters from ARGV[8]. The commit
-- line is replaced as in gcra.lua.
-- The lib read the quota counter (stored) with the rate-limit string.
local used = tonumber(stored or ARGV[4])
local qok = used <= tonumber(ARGV[6]) - tonumber(ARGV[5])
if ok and qok then
  --[[commit]]
  used = addCounter(KEYS[2], stored, used, ARGV[5], ARGV[7])
end
return struct.pack('<ddddddd', ok and 1 or 0, bi - 1, rem, reset, retry, used, qok and 1 or 0)
