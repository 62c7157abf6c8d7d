-- Returns the record (JSON, version, last used) of the key holding a
-- hash, or nil.
-- KEYS[1] hash key. ARGV[1] record-key prefix.
local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('HMGET', ARGV[1] .. id, 'd', 'v', 'lu')
