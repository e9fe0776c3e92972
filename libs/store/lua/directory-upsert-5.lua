--[[
  Upserts directory entities (services, groups, agents): the latest occurredAt wins,
  on a tie the greater eventId, whatever order the events arrive in.

  KEYS[1]  order: hash <collection>:<id> → the order key of the entry held
  KEYS[2]  version: incremented on any change
  KEYS[3..5]  the collections services, groups, agents: hash id → JSON document
  ARGV[1]  ttl of the directory, seconds
  ARGV[2+4i .. 5+4i], for each entity i:
           collection (services|groups|agents), id, order key, JSON document


  Returns the number of documents written.
]]
--@include "includes/compare.lua"

--@include "includes/expire.lua"

local orderKey, versionKey = KEYS[1], KEYS[2]
local collections = { services = KEYS[3], groups = KEYS[4], agents = KEYS[5] }
local ttl = tonumber(ARGV[1])
local written = 0
local touched = {}

for i = 2, #ARGV, 4 do
  local collection, id, order, doc = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local current = redis.call('HGET', orderKey, collection .. ':' .. id)
  if (not current) or compareBytes(order, current) > 0 then
    redis.call('HSET', orderKey, collection .. ':' .. id, order)
    redis.call('HSET', collections[collection], id, doc)
    touched[collections[collection]] = true
    written = written + 1
  end
end

if written > 0 then
  -- readers keep answers that depend on the directory until this moves
  redis.call('INCR', versionKey)
  touched[versionKey] = true
  touched[orderKey] = true
  expireAll(touched, ttl)
end
return written
