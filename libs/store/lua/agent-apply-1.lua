--[[
  Applies a batch of one agent's events: logins, logouts, state changes and direct
  outgoing contacts. Keeps the agent's timelines and, from them, its finished state
  spans and login spans, whatever order the events arrive in: an event that lands between
  two others splits the span it falls in.

  KEYS[1]  the agent's key prefix, e.g. wfm:g0:{a:42}:
  ARGV[1]  ttl of the de-duplication sets, seconds (DEDUPE_WINDOW + a day)
  ARGV[2]  ttl of everything else, seconds (RETENTION_DAYS)
  ARGV[3]  today's UTC day number (arrival time, for de-duplication)
  ARGV[4]  how many past days of arrivals de-duplication looks back (DEDUPE_WINDOW)
  ARGV[5..] per event: eventId, occurredAt ms, payload JSON
           payload.t: 'I' login, 'O' logout, 'S' state change, 'D' direct outgoing contact
           payload of I and S: c state code, n state name, k category, g groupId, v serviceId

  Keys under the prefix:
    seen:<day>   eventIds that arrived that UTC day
    tl:<day>     state timeline (I, S, O)       tld  its days
    se:<day>     session timeline (I, O)        sed  its days
    ss:<day>     finished state spans: [start, end, startEventId, code, name, category, groupId, serviceId]
    ls:<day>     finished login spans: [login, logout, loginEventId]
    do:<day>     direct outgoing contacts (zset by time)

  Returns JSON {last: the latest state event or null, session: the latest session event
  or null, applied: number of new events}.
]]
--@include "includes/timeline.lua"

local prefix = KEYS[1]
local seenTtl = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local arrivalDay = tonumber(ARGV[3])
local lookback = tonumber(ARGV[4])

local touched = {}
local function touch(key)
  touched[key] = true
end

local function alreadySeen(eventId)
  for d = arrivalDay - lookback, arrivalDay do
    if redis.call('SISMEMBER', prefix .. 'seen:' .. d, eventId) == 1 then return true end
  end
  return false
end

local function stateSpan(startEvent, endMs)
  local p = startEvent.p
  return cjson.encode({ startEvent.ms, endMs, startEvent.id, p.c or '', p.n or '', p.k or '', p.g or '', p.v or '' })
end

local function loginSpan(startEvent, endMs)
  return cjson.encode({ startEvent.ms, endMs, startEvent.id })
end

-- Inserts into a timeline and moves the spans around it. `opens(event)` says whether a
-- span starts at an event of this timeline.
local function insert(family, spanFamily, event, opens, encode)
  if not timelineAdd(prefix, family, event.ms, event.member, touch) then return end
  local prev, nxt = timelineNeighbours(prefix, family, event.ms, event.member)
  if prev and opens(prev) then
    if nxt and nxt.ms > prev.ms then
      spanRemove(prefix, spanFamily, prev.ms, nxt.ms, encode(prev, nxt.ms))
    end
    if event.ms > prev.ms then
      spanAdd(prefix, spanFamily, prev.ms, event.ms, encode(prev, event.ms), touch)
    end
  end
  if opens(event) and nxt and nxt.ms > event.ms then
    spanAdd(prefix, spanFamily, event.ms, nxt.ms, encode(event, nxt.ms), touch)
  end
end

local function opensState(e)
  return e.p.t ~= 'O'
end

local function opensSession(e)
  return e.p.t == 'I'
end

local applied = 0
for i = 5, #ARGV, 3 do
  local eventId, ms, payloadText = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  if not alreadySeen(eventId) then
    applied = applied + 1
    redis.call('SADD', prefix .. 'seen:' .. arrivalDay, eventId)
    redis.call('EXPIRE', prefix .. 'seen:' .. arrivalDay, seenTtl)
    local payload = cjson.decode(payloadText)
    local member = timelineMember(eventId, payloadText)
    local event = { id = eventId, ms = ms, p = payload, member = member }
    if payload.t == 'D' then
      local key = prefix .. 'do:' .. dayOf(ms)
      redis.call('ZADD', key, ms, member)
      touch(key)
    else
      insert('tl', 'ss', event, opensState, stateSpan)
      if payload.t == 'I' or payload.t == 'O' then
        insert('se', 'ls', event, opensSession, loginSpan)
      end
    end
  end
end

for key, _ in pairs(touched) do
  redis.call('EXPIRE', key, ttl)
end

local function describe(e)
  if not e then return cjson.null end
  return { id = e.id, ms = e.ms, p = e.p }
end
return cjson.encode({
  last = describe(timelineLast(prefix, 'tl')),
  session = describe(timelineLast(prefix, 'se')),
  applied = applied,
})
