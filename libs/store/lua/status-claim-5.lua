--[[
  Claims agent status changes for pushing and puts them in the outbox (the emitter's
  guard and outbox, docs/architecture.md, "The emitter"). Each change is claimed only if
  it is later (occurredAt, then eventId) than the agent's last claimed one, so a change
  older than the agent's known state is history and a redelivered one a duplicate. A
  claimed change is appended to the agent's outbox, from which the holder of the agent's
  lease delivers it; the claim takes the lease when nobody holds it or its holder's lease
  has run out. An agent's record is forgotten ttl after its last claim (field-expiry.lua),
  so the hash holds the agents of the last ttl, not every agent ever.

  KEYS[1]  hash agentId → order key \31 status (the status after the claimed change)
           \30 time of the claim
  KEYS[2]  the expiry cursor of that hash
  KEYS[3]  the outbox hash (includes/outbox.lua)
  KEYS[4]  the outbox entries hash
  KEYS[5]  the outbox leases (zset)
  ARGV[1]  ttl, seconds
  ARGV[2]  how many fields one call looks at for expiry (HSCAN COUNT)
  ARGV[3]  the caller's owner id
  ARGV[4]  lease, ms
  ARGV[5]  most entries the outbox holds (PUSH_MAX_PENDING); a change beyond is not queued
  ARGV[6..] per change, 4 values: agentId, order key (padded occurredAt .. eventId), status,
           the event's append time (ms)

  Returns, per change: '!' when the change is not later than the claimed one (stale, or a
  duplicate); else a letter and the agent's previous status ('' when never seen): 'L' the
  caller holds the agent's lease and is to deliver it, 'Q' queued behind another holder's
  lease (which it hands over after its current entry, since the agent's changes now come
  to the caller), 'F' not queued (the outbox is full).
]]
--@include "includes/compare.lua"
--@include "includes/field-expiry.lua"
--@include "includes/outbox.lua"

local key, outbox, entries, leases = KEYS[1], KEYS[3], KEYS[4], KEYS[5]
local ttl = tonumber(ARGV[1])
local owner, leaseMs, maxPending = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local now = redisNow()
local nowMs = redisNowMs()
local pending = redis.call('HLEN', entries)
local result = {}
for i = 6, #ARGV, 4 do
  local agentId, order, status, appendedAt = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local current = redis.call('HGET', key, agentId)
  local currentOrder, currentStatus = '', ''
  if current then
    currentOrder, currentStatus = string.match((unstamped(current)), '^([^\31]*)\31(.*)$')
  end
  if current and compareBytes(order, currentOrder) <= 0 then
    result[#result + 1] = '!'
  else
    redis.call('HSET', key, agentId, stamped(order .. '\31' .. status, now))
    if pending >= maxPending then
      result[#result + 1] = 'F' .. currentStatus
    else
      local h = readHeader(outbox, agentId)
        or { owner = '', head = 1, tail = 0, done = 0, want = '' }
      h.tail = h.tail + 1
      redis.call('HSET', entries, entryField(agentId, h.tail),
        order .. '\28' .. appendedAt .. '\28' .. currentStatus .. '\28' .. status)
      pending = pending + 1
      local leaseEnd = tonumber(redis.call('ZSCORE', leases, agentId) or '0')
      if h.owner == owner or h.owner == '' or leaseEnd <= nowMs then
        h.owner = owner
        h.want = ''
        redis.call('ZADD', leases, nowMs + leaseMs, agentId)
        result[#result + 1] = 'L' .. currentStatus
      else
        h.want = owner
        result[#result + 1] = 'Q' .. currentStatus
      end
      writeHeader(outbox, agentId, h)
    end
  end
end
redis.call('EXPIRE', key, ttl)
for _, k in ipairs({ outbox, entries, leases }) do
  if redis.call('EXISTS', k) == 1 then redis.call('EXPIRE', k, ttl) end
end
-- an agent's outbox header goes with its claim record (ttl after its last claim)
expireFields(key, KEYS[2], { outbox }, now, ttl, tonumber(ARGV[2]))
return result
