-- setCounter stores a quota counter that expires at Unix time at
-- (a string; '0' for never).
local function setCounter(key, used, at)
  if at == '0' then
    redis.call('SET', key, used)
  else
    redis.call('SET', key, used, 'EXAT', at)
  end
end

-- addCounter adds cost (a string) to the counter at key, whose stored
-- value (false if none) reads as used, and returns the sum. A stored
-- counter already has its expiry, and INCRBY, with the cost as the
-- caller sent it, costs the server less than SET with EXAT and a number
-- to format.
local function addCounter(key, stored, used, cost, at)
  if stored then return redis.call('INCRBY', key, cost) end
  used = used + tonumber(cost)
  setCounter(key, used, at)
  return used
end

