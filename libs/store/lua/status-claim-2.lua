--[[
  Claims agent status changes for pushing (the emitter's guard, docs/architecture.md,
  "The emitter"). Each change is claimed only if it is later (occurredAt, then eventId)
  than the agent's last claimed one; the claim is recorded before the push is sent, so a
  restarted emitter never sends a change twice, and a change older than the agent's known
  state is history. An agent's record is forgotten ttl after its last claim
  (field-expiry.lua), so the hash holds the agents of the last ttl, not every agent ever.

  KEYS[1]  hash agentId → order key \31 status (the status after the claimed change)
           \30 time of the claim
  KEYS[2]  the expiry cursor of that hash
  ARGV[1]  ttl, seconds
  ARGV[2]  how many fields one call looks at for expiry (HSCAN COUNT)
  ARGV[3..] per change, 3 values: agentId, order key (padded occurredAt .. eventId), status

  Returns, per change: the agent's previous status ('' when never seen), or '!' when the
  change is not later than the claimed one (stale, or a duplicate).
]]
--@include "includes/compare.lua"
--@include "includes/field-expiry.lua"

local key = KEYS[1]
local ttl = tonumber(ARGV[1])
local now = redisNow()
local result = {}
for i = 3, #ARGV, 3 do
  local agentId, order, status = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local current = redis.call('HGET', key, agentId)
  local currentOrder, currentStatus = '', ''
  if current then
    currentOrder, currentStatus = string.match((unstamped(current)), '^([^\31]*)\31(.*)$')
  end
  if current and compareBytes(order, currentOrder) <= 0 then
    result[#result + 1] = '!'
  else
    redis.call('HSET', key, agentId, stamped(order .. '\31' .. status, now))
    result[#result + 1] = currentStatus
  end
end
redis.call('EXPIRE', key, ttl)
expireFields(key, KEYS[2], {}, now, ttl, tonumber(ARGV[2]))
return result
