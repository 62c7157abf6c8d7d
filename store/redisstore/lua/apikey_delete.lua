-- Removes an API key record and its index entries.
-- KEYS[1] record hash. ARGV: id, hash-key prefix, owner-index prefix,
-- change channel.
local cur = redis.call('HMGET', KEYS[1], 'o', 'h')
if not cur[1] then return 0 end
for h in string.gmatch(cur[2], '%S+') do redis.call('DEL', ARGV[2] .. h) end
redis.call('ZREM', ARGV[3] .. cur[1], ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[4], ARGV[1])
return 1
