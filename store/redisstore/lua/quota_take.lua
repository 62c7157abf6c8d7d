-- Adds a cost to a quota counter if the sum stays within the limit.
-- KEYS[1] counter. ARGV: initial, cost, limit, expire-at (Unix s, 0: never).
-- Returns {used after, 1 if counted}.
local used = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local cost = tonumber(ARGV[2])
if used > tonumber(ARGV[3]) - cost then return {used, 0} end
used = used + cost
setCounter(KEYS[1], used, ARGV[4])
return {used, 1}
