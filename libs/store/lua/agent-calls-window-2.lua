--[[
  Reads the contacts an agent answered in a period inside one UTC day, through the index
  by answer instant, so that what is read is the period's contacts and not the whole
  day's (docs/capacity.md, "Soak").

  KEYS[1]  calls:<day>    hash contactId → record (agent-contacts-n.lua)
  KEYS[2]  callsat:<day>  zset contactId → answered ms, its index
  ARGV[1]  start ms (inclusive), ARGV[2] end ms (exclusive)

  Returns a flat list contactId, record, … of the indexed contacts answered in the
  period; when the day has no index (written before there was one, or every contact a
  tombstone) the whole hash, as HGETALL does, for the caller to filter.
]]
if redis.call('EXISTS', KEYS[2]) == 0 then return redis.call('HGETALL', KEYS[1]) end
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], '(' .. ARGV[2])
local out = {}
-- HMGET in slices: unpack of a long list would overflow Lua's stack
local SLICE = 1000
for from = 1, #ids, SLICE do
  local to = math.min(#ids, from + SLICE - 1)
  local records = redis.call('HMGET', KEYS[1], unpack(ids, from, to))
  for j = from, to do
    local record = records[j - from + 1]
    if record then
      out[#out + 1] = ids[j]
      out[#out + 1] = record
    end
  end
end
return out
