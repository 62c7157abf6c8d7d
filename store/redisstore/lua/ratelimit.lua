-- Takes ARGV[3] units from every counter of one caller, or from none,
-- and reports the tightest counter.
-- KEYS[1] the caller's counters. ARGV: now (two), cost, then each counter's
-- field and spec. Returns allowed (1 or 0), counter index (0-based),
-- remaining, reset and retry, packed as little-endian doubles: one string
-- costs the server less to return than an array of integers.
local best, bi, commit = decide(KEYS[1], tonumber(ARGV[3]), 4)
if best.ok then commit() end
return struct.pack('<ddddd', flag(best.ok), bi - 1, best.rem, best.reset, best.retry)
