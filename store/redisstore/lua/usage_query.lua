-- Returns the rows of an index whose start is in [ARGV[1], ARGV[2]).
-- KEYS[1] the index. ARGV: from, to, row-key prefix.
local ids = redis.call('ZRANGE', KEYS[1], ARGV[1], '(' .. ARGV[2], 'BYSCORE')
local out = {}
for i, id in ipairs(ids) do
  out[i] = redis.call('HMGET', ARGV[3] .. id, 'key', 'plan', 'route', 'method', 'start',
    'requests', 'client_errors', 'server_errors', 'bytes_in', 'bytes_out', 'latency')
end
return out
