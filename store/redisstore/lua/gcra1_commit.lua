-- Stores the one counter's new state beside the other live entries
-- (gcra1_lib.lua): inlined where the script commits, not a closure.
local dl = nowf + reset / E
if dl > nowf then
  local x = nsec + reset
  local ds = floor(x / E)
  others = others .. struct.pack(ENTRY, #field, field, 1, sec + ds, x - ds * E, 0, dl)
  olongest = max(olongest, dl - nowf)
end
if others == '' then
  redis.call('DEL', key)
else
  redis.call('SET', key, others, 'PX', px(olongest))
end
