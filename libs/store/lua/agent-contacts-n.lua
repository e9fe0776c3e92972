--[[
  Records the contacts an agent answered, from contact snapshots: the source of
  agentCallsData, of chat work time and of the agent figures of exports. A snapshot not
  newer than the stored one is skipped; a tombstone removes a contact that moved to
  another agent or answer day.

  KEYS     every key the call may touch, all of one agent (libs/store/src/keys.ts); the
           arguments below name them by index
  ARGV[1]  ttl, seconds
  ARGV[2]  most UTC days a chat is indexed in, from its answer (CONTACT_MAX_SPAN): a
           chat longer than that counts as chat work time in its first days only, its
           end cut to the end of the last of them (docs/events.md, "Limits")
  ARGV[3]  n, the number of UTC days of answers, ARGV[4] m, the number of chat days
  then n times 3 values: a day of answers, the index of its calls key, the index of its
           callsat key; then m times 2: a day, the index of its chats key (every day a
           chat answered on one of the n days may be indexed in)
  then per update, 10 values: contactId, version, UTC day of the answer, tombstone
           ('1'|'0'), groupId, channel, answered ms, ended ms ('' if open), outcome ('' if
           open), wrapped ('1'|'0')

  The keys:
    calls:<day>   hash contactId → version \31 x, or
                  version \31 groupId \31 channel \31 answered \31 ended \31 outcome \31 wrapped
    callsat:<day> zset contactId → answered ms, of the calls:<day> fields that are not
                  tombstones: the index a period shorter than the day reads
                  (agent-calls-window-2.lua); a calls:<day> written before the index
                  existed is indexed whole on its next write
    chats:<day>   hash contactId → "answered,ended" for finished CHATS contacts, in every
                  UTC day the chat overlaps, up to ARGV[2] days (ended cut to their end)

  Returns the number of updates applied.
]]
--@include "includes/expire.lua"
local ttl = tonumber(ARGV[1])
local maxDays = tonumber(ARGV[2])
local DAY_MS = 86400000
local callsKeys, indexKeys, chatsKeys = {}, {}, {}
local at = 5
for _ = 1, tonumber(ARGV[3]) do
  local calls, index = KEYS[tonumber(ARGV[at + 1])], KEYS[tonumber(ARGV[at + 2])]
  callsKeys[ARGV[at]] = calls
  indexKeys[ARGV[at]] = index
  -- a day stored before its index: indexed whole once, so that the index is complete
  if redis.call('EXISTS', index) == 0 and redis.call('EXISTS', calls) == 1 then
    local fields = redis.call('HGETALL', calls)
    for j = 1, #fields, 2 do
      local answered = string.match(fields[j + 1], '^%d+\31[^\31]*\31[^\31]*\31(%d+)')
      if answered then redis.call('ZADD', index, answered, fields[j]) end
    end
    -- it lives as long as its hash, whether or not an update below is applied
    local pttl = redis.call('PTTL', calls)
    if pttl > 0 then redis.call('PEXPIRE', index, pttl) end
  end
  at = at + 3
end
for _ = 1, tonumber(ARGV[4]) do
  chatsKeys[ARGV[at]] = KEYS[tonumber(ARGV[at + 1])]
  at = at + 2
end
local touched = {}
local applied = 0

-- calls fn(key, end) for each day the chat is indexed in; end is the chat's end, cut to
-- the end of its last indexed day, so that a request counts the chat in those days only
-- whatever day it starts on
local function chatDays(channel, answered, ended, fn)
  if channel ~= 'CHATS' or ended == nil or ended <= answered then return end
  local first = math.floor(answered / DAY_MS)
  local last = math.min(math.floor((ended - 1) / DAY_MS), first + maxDays - 1)
  local cut = math.min(ended, (last + 1) * DAY_MS)
  for d = first, last do
    fn(chatsKeys[string.format('%.0f', d)], string.format('%.0f', cut))
  end
end

for i = at, #ARGV, 10 do
  local contactId, version, day, tombstone = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3] == '1'
  local key, index = callsKeys[day], indexKeys[day]
  local oldText = redis.call('HGET', key, contactId)
  local oldVersion = nil
  if oldText then oldVersion = tonumber(string.match(oldText, '^(%d+)')) end
  if oldVersion == nil or oldVersion < version then
    applied = applied + 1
    if oldText then
      local _, channel, a, n = string.match(oldText, '^%d+\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)')
      if channel then
        chatDays(channel, tonumber(a), tonumber(n), function(k) redis.call('HDEL', k, contactId) end)
      end
    end
    if tombstone then
      redis.call('HSET', key, contactId, version .. '\31x')
      redis.call('ZREM', index, contactId)
    else
      local group, channel, answered, ended = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
      redis.call('HSET', key, contactId,
        table.concat({ version, group, channel, answered, ended, ARGV[i + 8], ARGV[i + 9] }, '\31'))
      redis.call('ZADD', index, answered, contactId)
      chatDays(channel, tonumber(answered), tonumber(ended), function(k, cut)
        redis.call('HSET', k, contactId, answered .. ',' .. cut)
        touched[k] = true
      end)
    end
    touched[key] = true
    touched[index] = true
  end
end
expireAll(touched, ttl)
return applied
