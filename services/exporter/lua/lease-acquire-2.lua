--[[
  Acquires the scheduler lease (or renews it when this owner already holds it). Each new
  holder gets a fencing token one greater than the last: writes of a scheduler that lost
  its lease without noticing carry an old lease value and are refused (scheduler-commit).

  KEYS[1]  the lease: string "<token>:<owner>", with a time to live
  KEYS[2]  the fencing token counter
  ARGV[1]  owner id (unique per process)
  ARGV[2]  time to live, ms

  Returns the lease value "<token>:<owner>" when the owner holds the lease, false when
  another owner does.
]]
local current = redis.call('GET', KEYS[1])
if current then
  local owner = string.match(current, '^%d+:(.*)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return current
  end
  return false
end
local token = redis.call('INCR', KEYS[2])
local value = token .. ':' .. ARGV[1]
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return value
