--[[
  Merges a batch of events into one contact's record: the join of everything known
  about the contact, whatever order its events arrive in.

  KEYS[1]  the contact's record (hash), e.g. wfm:live:{c:42}
  ARGV[1]  ttl of the record, seconds
  ARGV[2]  most distinct events a contact may have (CONTACT_MAX_EVENTS): a new event
           beyond them is refused and changes nothing
  ARGV[3+5i .. 7+5i], for each event i:
           eventId, slot (o|a|n|w), order key (padded occurredAt .. eventId),
           payload (opaque to this script), home token ('' when the event has none)

  Record fields:
    v        version: the number of distinct events merged
    e:<id>   seen event ids (a second event with the same id changes nothing)
    k:<slot> order key of the event that holds the slot (the latest wins)
    p:<slot> payload of that event
    h:<home> every home the contact has had (group or agent it was counted under)

  Returns { record, refused }: the whole record after the merge as a flat field/value
  array, and the ids of the events refused for the limit. The caller always gets the
  current state back, so it can re-send a snapshot that a crash interrupted, even when
  every event in the batch is a duplicate.
]]
--@include "includes/compare.lua"

local key = KEYS[1]
local ttl = tonumber(ARGV[1])
local maxEvents = tonumber(ARGV[2])
local refused = {}

-- the record, read once; changes are written in one HSET at the end
local record = {}
local flat = redis.call('HGETALL', key)
for i = 1, #flat, 2 do record[flat[i]] = flat[i + 1] end
local changes = {}
local function set(field, value)
  record[field] = value
  changes[#changes + 1] = field
  changes[#changes + 1] = value
end

for i = 3, #ARGV, 5 do
  local eventId, slot, order, payload, home = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if record['e:' .. eventId] == nil and (tonumber(record['v']) or 0) >= maxEvents then
    refused[#refused + 1] = eventId
  elseif record['e:' .. eventId] == nil then
    set('e:' .. eventId, '1')
    set('v', tostring((tonumber(record['v']) or 0) + 1))
    local current = record['k:' .. slot]
    if (not current) or compareBytes(order, current) > 0 then
      set('k:' .. slot, order)
      set('p:' .. slot, payload)
    end
    if home ~= '' and record['h:' .. home] == nil then
      set('h:' .. home, '1')
    end
  end
end

-- in chunks: unpack() of more than a few thousand values overflows Lua's C stack
local CHUNK = 1000
for from = 1, #changes, CHUNK do
  redis.call('HSET', key, unpack(changes, from, math.min(from + CHUNK - 1, #changes)))
end
if #changes > 0 then redis.call('EXPIRE', key, ttl) end
local out = {}
for field, value in pairs(record) do
  out[#out + 1] = field
  out[#out + 1] = value
end
return { out, refused }
