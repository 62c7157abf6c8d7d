-- The arithmetic of ratelimit's algorithms, on times relative to now so
-- that Lua's doubles hold them exactly. A script built on it starts with
-- ARGV[1], ARGV[2]: now in seconds and nanoseconds (both '' to read the
-- server's TIME), which clock.lua, put before it, reads. A counter is described by a spec packed as an
-- algorithm byte and the doubles quota, period, cap, interval, g, pg, bg
-- (see RateLimitStore.spec); its state is an algorithm byte and three
-- doubles.
local G, B, F, S = 1, 2, 3, 4

local function trunc(x) if x < 0 then return math.ceil(x) end return math.floor(x) end
local function ceil0(x) if x <= 0 then return 0 end return math.ceil(x) end
-- rel turns a stored "seconds nanoseconds" into nanoseconds from now.
local function rel(s, n) return (s - sec) * E + (n - nsec) end
local function abs(r)
  local t = nsec + r
  local ds = math.floor(t / E)
  return sec + ds, t - ds * E
end

local function gcra(st, l, cost)
  local t, tau = l.interval, l.cap * l.interval
  local tat = 0
  if st[1] == G then tat = math.max(rel(st[2], st[3]), 0) end
  local nxt = math.max(tat + cost * t, 0)
  local r = {ok = nxt <= tau, retry = 0}
  if not r.ok then r.retry, nxt = nxt - tau, tat end
  r.rem, r.reset = trunc((tau - nxt) / t), nxt
  local s, n = abs(nxt)
  r.state = {G, s, n, 0}
  return r
end

local function bucket(st, l, cost)
  local rate = l.quota / l.period
  local deficit, last = 0, -math.huge
  if st[1] == B then deficit, last = st[4], rel(st[2], st[3]) end
  if last < 0 then deficit, last = math.max(0, deficit + last * rate), 0 end
  deficit = math.min(deficit, l.cap)
  local r = {ok = deficit + cost <= l.cap + 1e-9, retry = 0}
  if r.ok then
    deficit = math.min(math.max(0, deficit + cost), l.cap)
  else
    r.retry = ceil0((deficit + cost - l.cap) / rate)
  end
  r.rem, r.reset = trunc(l.cap - deficit + 1e-9), ceil0(deficit / rate)
  local s, n = abs(last)
  r.state = {B, s, n, deficit}
  return r
end

-- window returns the index of the window holding now and the time since
-- it began: (sec*E + nsec) / period, exactly, as (sec*bg + nsec/g) / pg.
local function window(l)
  local m = sec * l.bg + math.floor(nsec / l.g)
  local idx = math.floor(m / l.pg)
  return idx, (m - idx * l.pg) * l.g + nsec % l.g
end

local function fixed(st, l, cost)
  local idx, elapsed = window(l)
  local count = 0
  if st[1] == F and st[2] == idx + 1 then count = st[3] end
  local r = {ok = count + cost <= l.quota, retry = 0}
  local left = l.period - elapsed
  if r.ok then count = math.max(0, count + cost) else r.retry = left end
  r.rem, r.reset = l.quota - count, 0
  if count > 0 then r.reset = left end
  r.state = {F, idx + 1, count, 0}
  return r
end

local function weighted(count, p, e) return math.floor(count * (p - e) / p) end

local function fade(count, p, room)
  if room < 0 then return p end
  if count <= room then return 0 end
  local e = math.floor(p * (1 - (room + 1) / count))
  e = math.min(math.max(e, 0), p)
  while e < p and weighted(count, p, e) > room do e = e + 1 end
  while e > 0 and weighted(count, p, e - 1) <= room do e = e - 1 end
  return e
end

local function sliding(st, l, cost)
  local idx, elapsed = window(l)
  local p, count, prev = l.period, 0, 0
  if st[1] == S then
    if st[2] == idx + 1 then count, prev = st[3], st[4]
    elseif st[2] == idx then prev = st[3] end
  end
  local pw = weighted(prev, p, elapsed)
  local r = {ok = pw + count + cost <= l.quota, retry = 0}
  if r.ok then
    count = math.max(0, count + cost)
  elseif l.quota - count - cost >= 0 then
    r.retry = fade(prev, p, l.quota - count - cost) - elapsed
  else
    r.retry = p - elapsed + fade(count, p, l.quota - cost)
  end
  r.rem, r.reset = math.max(0, l.quota - pw - count), 0
  if count > 0 then r.reset = 2 * p - elapsed elseif prev > 0 then r.reset = p - elapsed end
  r.state = {S, idx + 1, count, prev}
  return r
end

local algos = {gcra, bucket, fixed, sliding}

local function better(r, best)
  if r.ok ~= best.ok then return not r.ok end
  if not r.ok then return r.retry > best.retry end
  if r.rem ~= best.rem then return r.rem < best.rem end
  return r.reset > best.reset
end

-- A caller's counters are one string: for each, its field (Hc0), its
-- state (an algorithm byte and three doubles) and the Unix time in
-- seconds after which it is as good as fresh. One GET and one SET with PX
-- read and write them all, and the key lives as long as its longest-lived
-- counter.
local ENTRY = '<Hc0Bdddd'
-- px is the time to live of a string whose last counter is full s
-- seconds from now: t and a second more, in milliseconds, as a string
-- (Redis formats a number argument with %.17g, which costs more).
local function px(s) return string.format('%d', math.ceil(s * 1000) + 1000) end
local nowf = sec + nsec / E

local function load(key)
  local v = redis.call('GET', key)
  local entries, pos = {}, 1
  if not v then return entries end
  while pos <= #v do
    local e = {}
    e.field, e.algo, e.a, e.b, e.c, e.dl, pos = struct.unpack(ENTRY, v, pos)
    entries[#entries + 1] = e
  end
  return entries
end

local function save(key, entries)
  local parts, longest = {}, 0
  for _, e in ipairs(entries) do
    if e.dl > nowf then
      parts[#parts + 1] = struct.pack(ENTRY, #e.field, e.field, e.algo, e.a, e.b, e.c, e.dl)
      longest = math.max(longest, e.dl - nowf)
    end
  end
  if #parts == 0 then
    redis.call('DEL', key)
  else
    redis.call('SET', key, table.concat(parts), 'PX', px(longest))
  end
end

-- decide takes cost from every counter of key, whose fields and specs are
-- the pairs of ARGV from first on. It returns the result to report, its
-- counter's index and a function that stores the new states (call it only
-- if the result allows the take).
local function decide(key, cost, first)
  local entries = load(key)
  local byField = {}
  for _, e in ipairs(entries) do byField[e.field] = e end
  local results, touched, best, bi = {}, {}, nil, 0
  for i = first, #ARGV, 2 do
    local l = {}
    local algo
    algo, l.quota, l.period, l.cap, l.interval, l.g, l.pg, l.bg = struct.unpack('<Bddddddd', ARGV[i + 1])
    local e = byField[ARGV[i]]
    local st = {}
    if e then st = {e.algo, e.a, e.b, e.c} end
    local r = algos[algo](st, l, math.min(cost, l.cap + 1))
    results[#results + 1] = r
    touched[#touched + 1] = ARGV[i]
    if #results == 1 or better(r, best) then best, bi = r, #results end
  end
  local function commit()
    for j, r in ipairs(results) do
      local e = byField[touched[j]]
      if not e then
        e = {field = touched[j]}
        entries[#entries + 1], byField[touched[j]] = e, e
      end
      e.algo, e.a, e.b, e.c, e.dl = r.state[1], r.state[2], r.state[3], r.state[4], nowf + r.reset / E
    end
    save(key, entries)
  end
  return best, bi, commit
end

local function flag(b) if b then return 1 end return 0 end
