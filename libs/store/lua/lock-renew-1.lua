--[[
  Renews a lock if the caller still holds it: the export scheduler's lease
  (services/exporter/src/lease.ts) and the rebuild lock (libs/store/src/generation.ts).

  KEYS[1]  the lock
  ARGV[1]  the value the caller holds
  ARGV[2]  time to live, ms

  Returns 1 when renewed, 0 when the lock is gone or held by another.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
