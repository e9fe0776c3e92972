--[[
  Records what the scheduler enqueued, fenced by its lease: the writes happen only while
  the caller holds the lease, so a scheduler that lost it cannot move the cursors.

  KEYS[1]  the lease
  KEYS[2]  hash target -> start (epoch ms) of the next interval to enqueue
  KEYS[3]  hash interval start (epoch ms) -> content hash last enqueued
  ARGV[1]  the lease value the caller holds
  ARGV[2]  C, the number of cursor pairs
  ARGV[3]  F, the number of fingerprint pairs
  ARGV[4]  D, the number of fingerprints to forget
  ARGV[5..] C pairs (target, start), F pairs (start, hash), D starts

  Returns 1 when written, 0 when the caller does not hold the lease.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
local c, f, d = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local i = 5
for _ = 1, c do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for _ = 1, f do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for _ = 1, d do
  redis.call('HDEL', KEYS[3], ARGV[i])
  i = i + 1
end
return 1
