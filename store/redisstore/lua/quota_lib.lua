-- setCounter stores a quota counter that expires at Unix time at
-- (a string; '0' for never).
local function setCounter(key, used, at)
  if at == '0' then
    redis.call('SET', key, used)
  else
    redis.call('SET', key, used, 'EXAT', at)
  end
end

