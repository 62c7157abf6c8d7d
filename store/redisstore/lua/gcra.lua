-- Takes ARGV[3] units from every GCRA counter of one caller, or from none,
-- and reports the tightest counter (see gcra_lib.lua; ratelimit.lua for
-- the reply).
if ok then commit() end
return {flag(ok), bi - 1, rem, reset, retry}
