-- Adds a batch of usage rows unless its ID was applied before.
-- KEYS[1] the batch's marker. ARGV: marker TTL (s), row-key prefix,
-- by-start index, by-key index prefix, then 12 values per row: row ID,
-- key, plan, route, method, start, and the six counters.
-- Every key shares KEYS[1]'s hash tag. Returns 1, or 0 for a duplicate.
if not redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then return 0 end
local names = {'requests', 'client_errors', 'server_errors', 'bytes_in', 'bytes_out', 'latency'}
for i = 5, #ARGV, 12 do
  local id, key, start = ARGV[i], ARGV[i + 1], ARGV[i + 5]
  local rk = ARGV[2] .. id
  redis.call('HSET', rk, 'key', key, 'plan', ARGV[i + 2], 'route', ARGV[i + 3], 'method', ARGV[i + 4], 'start', start)
  for j, name in ipairs(names) do redis.call('HINCRBY', rk, name, ARGV[i + 5 + j]) end
  redis.call('ZADD', ARGV[3], start, id)
  redis.call('ZADD', ARGV[4] .. key, start, id)
end
return 1
