-- Takes the cost from every GCRA counter of one caller, or from none,
-- and reports the tightest counter (see gcra_lib.lua; ratelimit.lua for
-- the reply). The commit line is replaced by gcra_commit.lua or
-- gcra1_commit.lua.
if ok then
  --[[commit]]
end
return struct.pack('<ddddd', ok and 1 or 0, bi - 1, rem, reset, retry)
