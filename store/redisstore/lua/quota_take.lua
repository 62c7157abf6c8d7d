-- Adds a cost to a quota counter if the sum stays within the limit.
-- KEYS[1] counter. ARGV: initial, cost, limit, expire-at (Unix s, 0: never).
-- Returns {used after, 1 if counted}.
local stored = redis.call('GET', KEYS[1])
local used = tonumber(stored or ARGV[1])
if used > tonumber(ARGV[3]) - tonumber(ARGV[2]) then return {used, 0} end
return {addCounter(KEYS[1], stored, used, ARGV[2], ARGV[4]), 1}
