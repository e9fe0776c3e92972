--[[
  Releases a lock if the caller holds it, so a successor need not wait for it to expire:
  the export scheduler's lease (services/exporter/src/lease.ts) and the rebuild lock
  (libs/store/src/generation.ts).

  KEYS[1]  the lock
  ARGV[1]  the value the caller holds

  Returns 1 when released, 0 otherwise.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
