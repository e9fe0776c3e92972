--[[
  Claims agent status changes for pushing (the emitter's guard, SPEC §7). Each change is
  claimed only if it is later (occurredAt, then eventId) than the agent's last claimed
  one; the claim is recorded before the push is sent, so a restarted emitter never sends
  a change twice, and a change older than the agent's known state is history.

  KEYS[1]  hash agentId → order key \31 status (the status after the claimed change)
  ARGV[1]  ttl of the hash, seconds
  ARGV[2..] per change, 3 values: agentId, order key (padded occurredAt .. eventId), status

  Returns, per change: the agent's previous status ('' when never seen), or '!' when the
  change is not later than the claimed one (stale, or a duplicate).
]]
--@include "includes/compare.lua"

local key = KEYS[1]
local result = {}
for i = 2, #ARGV, 3 do
  local agentId, order, status = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local current = redis.call('HGET', key, agentId)
  local currentOrder, currentStatus = '', ''
  if current then
    currentOrder, currentStatus = string.match(current, '^([^\31]*)\31(.*)$')
  end
  if current and compareBytes(order, currentOrder) <= 0 then
    result[#result + 1] = '!'
  else
    redis.call('HSET', key, agentId, order .. '\31' .. status)
    result[#result + 1] = currentStatus
  end
end
redis.call('EXPIRE', key, tonumber(ARGV[1]))
return result
