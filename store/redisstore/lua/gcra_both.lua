-- take_both.lua for GCRA counters only: ARGV[4..7] are the quota's
-- initial, cost, limit and expire-at; counters from ARGV[8]. The commit
-- line is replaced as in gcra.lua.
local stored = redis.call('GET', KEYS[2])
local used = tonumber(stored or ARGV[4])
local qcost = tonumber(ARGV[5])
local qok = used <= tonumber(ARGV[6]) - qcost
if ok and qok then
  --[[commit]]
  if stored then
    -- The counter already has its expiry: INCRBY is cheaper than SET EXAT.
    used = redis.call('INCRBY', KEYS[2], qcost)
  else
    used = used + qcost
    setCounter(KEYS[2], used, ARGV[7])
  end
end
return {ok and 1 or 0, bi - 1, rem, reset, retry, used, qok and 1 or 0}
