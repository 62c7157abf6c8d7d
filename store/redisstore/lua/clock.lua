-- Now, for a script whose ARGV[1] and ARGV[2] are the time in seconds
-- and nanoseconds, or both '' to read the server's TIME: sec and nsec,
-- and E, nanoseconds per second.
local E = 1e9
local sec, nsec = tonumber(ARGV[1]), tonumber(ARGV[2])
if not sec then
  local t = redis.call('TIME')
  sec, nsec = tonumber(t[1]), tonumber(t[2]) * 1000
end
