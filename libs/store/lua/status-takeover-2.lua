--[[
  Takes over outbox leases that ran out (their holder died, or stalled past its lease) or
  were released (docs/architecture.md, "The emitter"): at most ARGV[3] agents a call, the
  longest expired first.

  KEYS[1]  the outbox hash (includes/outbox.lua)
  KEYS[2]  the outbox leases (zset)
  ARGV[1]  the caller's owner id
  ARGV[2]  lease, ms
  ARGV[3]  most agents taken over
  Returns the agents whose lease the caller now holds.
]]
--@include "includes/outbox.lua"

local outbox, leases = KEYS[1], KEYS[2]
local owner, leaseMs = ARGV[1], tonumber(ARGV[2])
local nowMs = redisNowMs()
local taken = {}
local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', nowMs, 'LIMIT', 0, tonumber(ARGV[3]))
for _, agentId in ipairs(expired) do
  local h = readHeader(outbox, agentId)
  if h and h.head <= h.tail then
    h.owner = owner
    writeHeader(outbox, agentId, h)
    redis.call('ZADD', leases, nowMs + leaseMs, agentId)
    taken[#taken + 1] = agentId
  else
    redis.call('ZREM', leases, agentId)
  end
end
return taken
