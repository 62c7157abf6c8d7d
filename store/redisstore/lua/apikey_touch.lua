-- Records last-used times: for each existing record KEYS[i], sets its
-- 'lu' field to ARGV[i] (Unix microseconds) if that is later, and bumps
-- its version so a concurrent read-modify-write retries. Nothing is
-- published: the last-used time does not affect verification.
for i, key in ipairs(KEYS) do
  local cur = redis.call('HMGET', key, 'v', 'lu')
  if cur[1] and (not cur[2] or tonumber(ARGV[i]) > tonumber(cur[2])) then
    redis.call('HSET', key, 'lu', ARGV[i])
    redis.call('HINCRBY', key, 'v', 1)
  end
end
return 1
