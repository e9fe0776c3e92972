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
    tld          the days tl has events on (zset, score = day)
    se:<day>     session timeline (I, O)       sed  its days
    do:<day>     direct outgoing contacts (zset by occurredAt)

  Returns the number of new events.
]]
local prefix = KEYS[1]
local idsTtl = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local DAY_MS = 86400000
local touched = {}
local touchedIds = {}
local applied = 0

local function add(family, day, ms, member, indexed)
  local key = prefix .. family .. ':' .. day
  redis.call('ZADD', key, ms, member)
  touched[key] = true
  if indexed then
    redis.call('ZADD', prefix .. family .. 'd', day, day)
    touched[prefix .. family .. 'd'] = true
  end
end

for i = 3, #ARGV, 3 do
  local eventId, ms, payload = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local day = math.floor(ms / DAY_MS)
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
for key, _ in pairs(touchedIds) do
  redis.call('EXPIRE', key, idsTtl)
end
return applied
