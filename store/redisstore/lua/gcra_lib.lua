-- The GCRA fast path for a take of several counters; gcra_head.lua comes
-- first.
-- It sets ok, bi (1-based), rem, reset, retry for the tightest counter;
-- gcra_commit.lua stores every counter's new state.

-- Read the stored entries: ours by field (algo, seconds, nanoseconds),
-- the others kept verbatim while they are still live.
local mine, keep = {}, {}
for i = first, #ARGV, 2 do mine[ARGV[i]] = false end
if v then
  local pos = 1
  while pos <= #v do
    local f, algo, a, b, _, dl, nxt = struct.unpack(ENTRY, v, pos)
    if mine[f] ~= nil then
      if algo == 1 then mine[f] = {a, b} end
    elseif dl > nowf then
      keep[#keep + 1] = {string.sub(v, pos, nxt - 1), dl}
    end
    pos = nxt
  end
end

local ok, bi, rem, reset, retry
local states = {}
for i = first, #ARGV, 2 do
  local t, cap = struct.unpack('<dd', ARGV[i + 1])
  local tau, c, tat = cap * t, math.min(cost, cap + 1), 0
  local st = mine[ARGV[i]]
  if st then tat = math.max((st[1] - sec) * E + (st[2] - nsec), 0) end
  local nx = math.max(tat + c * t, 0)
  local rok, rt = nx <= tau, 0
  if not rok then rt, nx = nx - tau, tat end
  local rm = (tau - nx) / t
  if rm < 0 then rm = math.ceil(rm) else rm = math.floor(rm) end
  states[#states + 1] = nx
  -- Report the tightest counter: a refusal over an admission, then the
  -- longest retry, the least remaining, the latest reset.
  if not bi or (rok ~= ok and not rok) or (rok == ok and ((not rok and rt > retry)
      or (rok and (rm < rem or (rm == rem and nx > reset))))) then
    ok, bi, rem, reset, retry = rok, #states, rm, nx, rt
  end
end
