-- Writes an API key record if its version is the next one, and moves the
-- hash and owner indexes with it, atomically.
-- KEYS[1] record hash, KEYS[2] new owner's index, KEYS[3..] new hash keys.
-- ARGV: version, id, record JSON, owner, hashes (space-separated hex),
--       hash-key prefix, owner-index prefix, change channel.
-- Keys built from the prefixes share KEYS[1]'s hash tag, so its slot.
local cur = redis.call('HMGET', KEYS[1], 'v', 'o', 'h')
local want = 1
if cur[1] then want = tonumber(cur[1]) + 1 end
if tonumber(ARGV[1]) ~= want then return 0 end
for i = 3, #KEYS do
  local holder = redis.call('GET', KEYS[i])
  if holder and holder ~= ARGV[2] then return 0 end
end
if cur[1] then
  for h in string.gmatch(cur[3], '%S+') do redis.call('DEL', ARGV[6] .. h) end
  redis.call('ZREM', ARGV[7] .. cur[2], ARGV[2])
end
for i = 3, #KEYS do redis.call('SET', KEYS[i], ARGV[2]) end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'o', ARGV[4], 'h', ARGV[5], 'd', ARGV[3])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
redis.call('PUBLISH', ARGV[8], ARGV[2])
return 1
