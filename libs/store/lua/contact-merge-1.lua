--[[
  Merges a batch of events into one contact's record: the join of everything known
  about the contact, whatever order its events arrive in.

  KEYS[1]  the contact's record (hash), e.g. wfm:live:{c:42}
  ARGV[1]  ttl of the record, seconds
  ARGV[2+5i .. 6+5i], for each event i:
           eventId, slot (o|a|n|w), order key (padded occurredAt .. eventId),
           payload (opaque to this script), home token ('' when the event has none)

  Record fields:
    v        version: the number of distinct events merged
    e:<id>   seen event ids (a second event with the same id changes nothing)
    k:<slot> order key of the event that holds the slot (the latest wins)
    p:<slot> payload of that event
    h:<home> every home the contact has had (group or agent it was counted under)

  Returns the whole record after the merge as a flat field/value array. The caller
  always gets the current state back, so it can re-send a snapshot that a crash
  interrupted, even when every event in the batch is a duplicate.
]]
--@include "includes/compare.lua"

local key = KEYS[1]
local ttl = tonumber(ARGV[1])
local changed = 0

for i = 2, #ARGV, 5 do
  local eventId, slot, order, payload, home = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if redis.call('HSETNX', key, 'e:' .. eventId, 1) == 1 then
    changed = 1
    redis.call('HINCRBY', key, 'v', 1)
    local current = redis.call('HGET', key, 'k:' .. slot)
    if (not current) or compareBytes(order, current) > 0 then
      redis.call('HSET', key, 'k:' .. slot, order, 'p:' .. slot, payload)
    end
    if home ~= '' then
      redis.call('HSET', key, 'h:' .. home, 1)
    end
  end
end

if changed == 1 then
  redis.call('EXPIRE', key, ttl)
end
return redis.call('HGETALL', key)
