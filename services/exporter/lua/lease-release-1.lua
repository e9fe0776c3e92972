--[[
  Releases the scheduler lease if the caller holds it, so a successor need not wait for
  it to expire.

  KEYS[1]  the lease
  ARGV[1]  the lease value the caller holds

  Returns 1 when released, 0 otherwise.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
