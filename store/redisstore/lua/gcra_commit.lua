-- Stores every counter's new state (gcra_lib.lua): inlined where the
-- script commits, not a closure.
local parts, longest = {}, 0
for _, e in ipairs(keep) do
  parts[#parts + 1] = e[1]
  longest = math.max(longest, e[2] - nowf)
end
-- A field named twice keeps its last state, as in ratelimit_lib.lua.
local last, j = {}, 0
for i = first, #ARGV, 2 do j = j + 1; last[ARGV[i]] = j end
j = 0
for i = first, #ARGV, 2 do
  j = j + 1
  local f, r = ARGV[i], states[j]
  local dl = nowf + r / E
  if last[f] == j and dl > nowf then
    local t = nsec + r
    local ds = math.floor(t / E)
    parts[#parts + 1] = struct.pack(ENTRY, #f, f, 1, sec + ds, t - ds * E, 0, dl)
    longest = math.max(longest, dl - nowf)
  end
end
if #parts == 0 then
  redis.call('DEL', key)
else
  redis.call('SET', key, table.concat(parts), 'PX', px(longest))
end
