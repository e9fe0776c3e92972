--[[
  Keeps the current state of every agent in two parts, each taking only a later event
  (occurredAt, then eventId) than the one it holds, so updates may arrive in any order
  and more than once:
    state    the agent's latest state event (login, state change or logout)
    session  the agent's latest session event (login or logout)

  KEYS[1..3]  state, state:order, state:sweep (libs/store/src/keys.ts)
  KEYS[4..6]  session, session:order, session:sweep
  ARGV[1]  ttl, seconds: an agent is forgotten this long after its last update
  ARGV[2]  how many fields of each part one call looks at for expiry (HSCAN COUNT)
  ARGV[3..] per update, 4 values: part (state|session), agentId, order key
           (padded occurredAt .. eventId), value

  Keys: <part> hash agentId → value; <part>:order hash agentId → order key \30 time of
  the update (field-expiry.lua); <part>:sweep the expiry cursor.
  Returns the number of parts that changed.
]]
--@include "includes/compare.lua"
--@include "includes/field-expiry.lua"

local parts = {
  state = { values = KEYS[1], order = KEYS[2], sweep = KEYS[3] },
  session = { values = KEYS[4], order = KEYS[5], sweep = KEYS[6] },
}
local ttl = tonumber(ARGV[1])
local sweepCount = tonumber(ARGV[2])
local now = redisNow()
local changed = 0
local touched = {}
for i = 3, #ARGV, 4 do
  local part, agentId, order, value = parts[ARGV[i]], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local current = redis.call('HGET', part.order, agentId)
  if (not current) or compareBytes(order, (unstamped(current))) > 0 then
    redis.call('HSET', part.order, agentId, stamped(order, now))
    redis.call('HSET', part.values, agentId, value)
    touched[part] = true
    changed = changed + 1
  end
end
for part, _ in pairs(touched) do
  redis.call('EXPIRE', part.values, ttl)
  redis.call('EXPIRE', part.order, ttl)
  expireFields(part.order, part.sweep, { part.values }, now, ttl, sweepCount)
end
return changed
