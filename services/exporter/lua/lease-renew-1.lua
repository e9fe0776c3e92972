--[[
  Renews the scheduler lease if the caller still holds it.

  KEYS[1]  the lease
  ARGV[1]  the lease value the caller holds ("<token>:<owner>")
  ARGV[2]  time to live, ms

  Returns 1 when renewed, 0 when the lease is gone or held by another.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
