--[[
  Upserts directory entities (services, groups, agents): the latest occurredAt wins,
  on a tie the greater eventId, whatever order the events arrive in.

  KEYS[1]  the directory's key prefix, e.g. wfm:live:{dir}:
  ARGV[1]  ttl of the directory, seconds
  ARGV[2+4i .. 5+4i], for each entity i:
           collection (services|groups|agents), id, order key, JSON document

  Stores the document in hash <prefix><collection> (field id) and its order key in
  hash <prefix>order (field <collection>:<id>); increments <prefix>version on any change.

  Returns the number of documents written.
]]
--@include "includes/compare.lua"

local prefix = KEYS[1]
local ttl = tonumber(ARGV[1])
local written = 0
local touched = {}

for i = 2, #ARGV, 4 do
  local collection, id, order, doc = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local current = redis.call('HGET', prefix .. 'order', collection .. ':' .. id)
  if (not current) or compareBytes(order, current) > 0 then
    redis.call('HSET', prefix .. 'order', collection .. ':' .. id, order)
    redis.call('HSET', prefix .. collection, id, doc)
    touched[prefix .. collection] = true
    written = written + 1
  end
end

if written > 0 then
  -- readers keep answers that depend on the directory until this moves
  redis.call('INCR', prefix .. 'version')
  touched[prefix .. 'version'] = true
  touched[prefix .. 'order'] = true
  for key, _ in pairs(touched) do
    redis.call('EXPIRE', key, ttl)
  end
end
return written
