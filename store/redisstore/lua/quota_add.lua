-- Adds a delta to a quota counter, which starts at its initial value.
-- KEYS[1] counter. ARGV: initial, delta, expire-at (Unix s, 0: never).
-- Returns the counter after.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], ARGV[1])
  if ARGV[3] ~= '0' then redis.call('EXPIREAT', KEYS[1], ARGV[3]) end
end
return redis.call('INCRBY', KEYS[1], ARGV[2])
