-- Returns up to ARGV[2] records (JSON, version, last used) of one owner,
-- in ID order, after a lexical bound.
-- KEYS[1] owner index. ARGV: min bound ('-' or '(' .. after), limit,
-- record-key prefix.
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], '+', 'BYLEX', 'LIMIT', 0, ARGV[2])
local out = {}
for i, id in ipairs(ids) do out[i] = redis.call('HMGET', ARGV[3] .. id, 'd', 'v', 'lu') end
return out
