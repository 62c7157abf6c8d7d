-- Decides a request's rate limits and its quota together: both are
-- counted if both admit it, neither otherwise.
-- KEYS[1] the caller's rate-limit counters, KEYS[2] its quota counter. ARGV:
-- now (two), rate-limit cost, quota initial, cost, limit and expire-at
-- (Unix s, 0: never), then each counter's field and spec.
-- Returns rate limit allowed, counter index, remaining, reset, retry,
-- quota used and quota allowed, packed as in ratelimit.lua.
local best, bi, commit = decide(KEYS[1], tonumber(ARGV[3]), 8)
local stored = redis.call('GET', KEYS[2])
local used = tonumber(stored or ARGV[4])
local qok = used <= tonumber(ARGV[6]) - tonumber(ARGV[5])
if best.ok and qok then
  commit()
  used = addCounter(KEYS[2], stored, used, ARGV[5], ARGV[7])
end
return struct.pack('<ddddddd', flag(best.ok), bi - 1, best.rem, best.reset, best.retry, used, flag(qok))
