--[[
  Records a batch of one agent's events: logins, logouts, state changes and direct
  outgoing contacts, each in the timeline of its UTC day. Spans (states, sessions) are
  not kept: readers compute them from the timelines with the same pure functions the
  tests use as the definition (libs/core/src/agents/timeline.ts). A second event with an
  id already recorded for that day changes nothing.

  KEYS     every key the call touches, all of one agent (libs/store/src/keys.ts):
           KEYS[1] tld, KEYS[2] sed, KEYS[3] tlu, then 4 per UTC day, in the order of
           ARGV[4..]: ids:<day>, tl:<day>, se:<day>, do:<day>
  ARGV[1]  ttl of the event ids (de-duplication), seconds (DEDUPE_WINDOW)
  ARGV[2]  ttl of timelines, seconds (RETENTION_DAYS)
  ARGV[3]  n, the number of UTC days the events happened on
  ARGV[4 .. 3+n] those days
  then per event: eventId, occurredAt ms, payload
           payload: fields joined by \31, the first the kind: I login, O logout, S state
           change, D direct outgoing contact; I and S go on with state code, state name,
           category, groupId, serviceId; D with the kind of contact and groupId

  The keys (<day> is a UTC day number):
    ids:<day>    ids of the events that happened that day
    tl:<day>     state timeline (I, S, O): zset by occurredAt, member eventId \0 payload
    tlp:<day>    the same timeline of a closed day, packed into one string (below)
    tlu          the days whose tl zset is not packed yet (zset, score = day)
    tld          the days tl has events on (zset, score = day)
    se:<day>     session timeline (I, O)       sed  its days
    do:<day>     direct outgoing contacts (zset by occurredAt)

  A day is closed for an agent once the agent has an event PACK_AFTER_DAYS days later: its
  tl zset is then packed into tlp:<day> (agent-pack-n.lua, which the caller runs with the
  days this script returns).

  Returns { the number of new events, the closed days still to pack… }.
]]
--@include "includes/expire.lua"
local idsTtl = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local DAY_MS = 86400000
local days = { tl = KEYS[1], se = KEYS[2] }
local unpacked = KEYS[3]
local dayKeys = {}
for k = 1, tonumber(ARGV[3]) do
  local base = 4 * k
  dayKeys[ARGV[3 + k]] = { ids = KEYS[base], tl = KEYS[base + 1], se = KEYS[base + 2], ['do'] = KEYS[base + 3] }
end
local touched = {}
local touchedIds = {}
local applied = 0

local PACK_AFTER_DAYS = 2
local latestDay = nil

local function add(family, day, ms, member, indexed)
  local key = dayKeys[tostring(day)][family]
  redis.call('ZADD', key, ms, member)
  touched[key] = true
  if indexed then
    redis.call('ZADD', days[family], day, day)
    touched[days[family]] = true
  end
  if family == 'tl' then
    redis.call('ZADD', unpacked, day, day)
    touched[unpacked] = true
  end
end

for i = 4 + tonumber(ARGV[3]), #ARGV, 3 do
  local eventId, ms, payload = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local day = math.floor(ms / DAY_MS)
  if latestDay == nil or day > latestDay then latestDay = day end
  local idsKey = dayKeys[tostring(day)].ids
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

expireAll(touched, ttl)
expireAll(touchedIds, idsTtl)
local reply = { applied }
if latestDay ~= nil then
  for _, day in ipairs(redis.call('ZRANGEBYSCORE', unpacked, '-inf', latestDay - PACK_AFTER_DAYS)) do
    reply[#reply + 1] = day
  end
end
return reply
