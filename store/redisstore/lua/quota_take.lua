-- Adds a cost to a quota counter if the sum stays within the limit.
-- KEYS[1] counter. ARGV: initial, cost, limit, expire-at (Unix s, 0: never).
-- Returns {used after, 1 if counted}.
local used = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local cost = tonumber(ARGV[2])
if used > tonumber(ARGV[3]) - cost then return {used, 0} end
used = used + cost
if ARGV[4] == '0' then
  redis.call('SET', KEYS[1], used)
else
  redis.call('SET', KEYS[1], used, 'EXAT', ARGV[4])
end
return {used, 1}
