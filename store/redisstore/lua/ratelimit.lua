-- Takes ARGV[3] units from every counter of one caller, or from none,
-- and reports the tightest counter.
-- KEYS[1] the caller's counters. ARGV: now (two), cost, then each counter's
-- field and spec. Returns {allowed, counter index (0-based), remaining,
-- reset, retry}.
local best, bi, commit = decide(KEYS[1], tonumber(ARGV[3]), 4)
if best.ok then commit() end
return {flag(best.ok), bi - 1, best.rem, best.reset, best.retry}
