--[[
  Records a batch of one agent's events: logins, logouts, state changes and direct
  outgoing contacts, each in the timeline of its UTC day. Spans (states, sessions) are
  not kept: readers compute them from the timelines with the same pure functions the
  tests use as the definition (libs/core/src/agents/timeline.ts). A second event with an
  id already recorded for that day changes nothing.

  KEYS[1]  the agent's key prefix, e.g. wfm:g0:{a:42}:
  ARGV[1]  ttl of the event ids (de-duplication), seconds (DEDUPE_WINDOW)
  ARGV[2]  ttl of timelines, seconds (RETENTION_DAYS)
  ARGV[3..] per event: eventId, occurredAt ms, payload
           payload: fields joined by \31, the first the kind: I login, O logout, S state
           change, D direct outgoing contact; I and S go on with state code, state name,
           category, groupId, serviceId; D with the kind of contact and groupId

  Keys under the prefix (<day> is a UTC day number):
    ids:<day>    ids of the events that happened that day
    tl:<day>     state timeline (I, S, O): zset by occurredAt, member eventId \0 payload
    tlp:<day>    the same timeline of a closed day, packed into one string (below)
    tlu          the days whose tl zset is not packed yet (zset, score = day)
    tld          the days tl has events on (zset, score = day)
    se:<day>     session timeline (I, O)       sed  its days
    do:<day>     direct outgoing contacts (zset by occurredAt)

  A day is closed for an agent once the agent has an event PACK_AFTER_DAYS days later: its
  tl zset is then packed into tlp:<day> and deleted (docs/architecture.md, "Closed days:
  packed timelines"). An event that arrives later for a packed day goes into a new tl zset,
  and the next packing merges the two (a member in both keeps the zset's score, as a
  second ZADD would). Readers read both. The packed form, \30 between parts:
    P1 \30 payloads, \29 between them \30 entry \30 entry …
  one entry per member in zset order (by score, then member bytes):
    ms minus the previous entry's ms \29 bytes shared with the previous entry's eventId \29
    the rest of its eventId \29 index of its payload (0-based)
  Ids and payloads hold no control characters (docs/events.md), so \29 and \30 separate.

  Returns the number of new events.
]]
--@include "includes/compare.lua"
local prefix = KEYS[1]
local idsTtl = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local DAY_MS = 86400000
local touched = {}
local touchedIds = {}
local applied = 0

local PACK_AFTER_DAYS = 2
local latestDay = nil

local function add(family, day, ms, member, indexed)
  local key = prefix .. family .. ':' .. day
  redis.call('ZADD', key, ms, member)
  touched[key] = true
  if indexed then
    redis.call('ZADD', prefix .. family .. 'd', day, day)
    touched[prefix .. family .. 'd'] = true
  end
  if family == 'tl' then
    redis.call('ZADD', prefix .. 'tlu', day, day)
    touched[prefix .. 'tlu'] = true
  end
end

-- text split at every `sep` (one byte), empty parts kept
local function split(text, sep)
  local parts, from = {}, 1
  while true do
    local cut = string.find(text, sep, from, true)
    parts[#parts + 1] = string.sub(text, from, (cut or 0) - 1)
    if not cut then return parts end
    from = cut + 1
  end
end

-- { ms, member } of a packed timeline, in its order
local function unpackTimeline(text)
  local parts = split(text, '\30')
  local payloads = split(parts[2] or '', '\29')
  local entries, ms, id = {}, 0, ''
  for k = 3, #parts do
    local f = split(parts[k], '\29')
    ms = ms + tonumber(f[1])
    id = string.sub(id, 1, tonumber(f[2])) .. f[3]
    entries[#entries + 1] = { ms, id .. '\0' .. payloads[tonumber(f[4]) + 1] }
  end
  return entries
end

-- the packed text of { ms, member } entries in zset order; nil if a member is not eventId \0 payload
local function packTimeline(entries)
  local payloads, index, out = {}, {}, {}
  local prevMs, prevId = 0, ''
  for k, e in ipairs(entries) do
    local cut = string.find(e[2], '\0', 1, true)
    if not cut then return nil end
    local id, payload = string.sub(e[2], 1, cut - 1), string.sub(e[2], cut + 1)
    local i = index[payload]
    if i == nil then
      payloads[#payloads + 1] = payload
      i = #payloads - 1
      index[payload] = i
    end
    local shared, n = 0, math.min(#id, #prevId)
    while shared < n and string.byte(id, shared + 1) == string.byte(prevId, shared + 1) do shared = shared + 1 end
    out[k] = string.format('%.17g', e[1] - prevMs) .. '\29' .. shared .. '\29' .. string.sub(id, shared + 1) .. '\29' .. i
    prevMs, prevId = e[1], id
  end
  return 'P1\30' .. table.concat(payloads, '\29') .. '\30' .. table.concat(out, '\30')
end

-- packs a closed day's tl zset into tlp:<day>, merged with what was packed before; the
-- packed key keeps the longer of the two remaining TTLs
local function packDay(day)
  local zkey = prefix .. 'tl:' .. day
  local pkey = prefix .. 'tlp:' .. day
  local flat = redis.call('ZRANGE', zkey, 0, -1, 'WITHSCORES')
  if #flat == 0 then return end
  local entries, seen = {}, {}
  for i = 1, #flat, 2 do
    entries[#entries + 1] = { tonumber(flat[i + 1]), flat[i] }
    seen[flat[i]] = true
  end
  local ttlMs = redis.call('PTTL', zkey)
  local old = redis.call('GET', pkey)
  if old then
    for _, e in ipairs(unpackTimeline(old)) do
      if not seen[e[2]] then entries[#entries + 1] = e end
    end
    table.sort(entries, function(a, b)
      if a[1] ~= b[1] then return a[1] < b[1] end
      return compareBytes(a[2], b[2]) < 0
    end)
    ttlMs = math.max(ttlMs, redis.call('PTTL', pkey))
  end
  local text = packTimeline(entries)
  if text == nil then return end
  if ttlMs > 0 then
    redis.call('SET', pkey, text, 'PX', ttlMs)
  else
    redis.call('SET', pkey, text, 'EX', ttl)
  end
  redis.call('DEL', zkey)
end

for i = 3, #ARGV, 3 do
  local eventId, ms, payload = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local day = math.floor(ms / DAY_MS)
  if latestDay == nil or day > latestDay then latestDay = day end
  local idsKey = prefix .. 'ids:' .. day
  if redis.call('HSETNX', idsKey, eventId, 1) == 1 then
    applied = applied + 1
    touchedIds[idsKey] = true
    local member = eventId .. '\0' .. payload
    local kind = string.sub(payload, 1, 1)
    if kind == 'D' then
      add('do', day, ms, member, false)
    else
      add('tl', day, ms, member, true)
      if kind == 'I' or kind == 'O' then add('se', day, ms, member, true) end
    end
  end
end

for key, _ in pairs(touched) do
  redis.call('EXPIRE', key, ttl)
end
if latestDay ~= nil then
  local closed = redis.call('ZRANGEBYSCORE', prefix .. 'tlu', '-inf', latestDay - PACK_AFTER_DAYS)
  for _, day in ipairs(closed) do
    packDay(day)
    redis.call('ZREM', prefix .. 'tlu', day)
  end
end
for key, _ in pairs(touchedIds) do
  redis.call('EXPIRE', key, idsTtl)
end
return applied
