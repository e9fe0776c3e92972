--[[
  Keeps the current state of every agent: an agent's entry changes only for a state that
  is later (occurredAt, then eventId) than the one it holds, so updates may arrive in any
  order and more than once.

  KEYS[1]  the online index's key prefix, e.g. wfm:g0:{online}:
  ARGV[1]  ttl, seconds
  ARGV[2..] per agent: agentId, order key (padded occurredAt .. eventId), JSON state

  Keys: <prefix>agents hash agentId → JSON state; <prefix>order hash agentId → order key.
  Returns the number of agents whose state changed.
]]
--@include "includes/compare.lua"

local prefix = KEYS[1]
local ttl = tonumber(ARGV[1])
local changed = 0
for i = 2, #ARGV, 3 do
  local agentId, order, state = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local current = redis.call('HGET', prefix .. 'order', agentId)
  if (not current) or compareBytes(order, current) > 0 then
    redis.call('HSET', prefix .. 'order', agentId, order)
    redis.call('HSET', prefix .. 'agents', agentId, state)
    changed = changed + 1
  end
end
if changed > 0 then
  redis.call('EXPIRE', prefix .. 'order', ttl)
  redis.call('EXPIRE', prefix .. 'agents', ttl)
end
return changed
