--[[
  Records the last applied offset of a consumer group's partitions in a state generation
  (libs/store/src/progress.ts): an offset lower than the stored one changes nothing, so
  a member that lost its partitions in a rebalance cannot move it back.

  KEYS[1]  the generation's progress hash, e.g. wfm:g0:{progress}
  ARGV[1]  time to live of the hash, seconds
  ARGV[2..] pairs: field (<group>\0<topic>\0<partition>), offset; and, where known,
           field <group>\0<topic>\0<partition>\0t, the latest record time applied (epoch ms),
           raised the same way

  Returns the number of fields raised, or -1 (nothing written) when the record was never
  begun or has been lost: the consumer must check the partitions first (a Redis emptied
  under it would otherwise look whole again).
]]
local key = KEYS[1]
local ttl = tonumber(ARGV[1])
local raised = 0
if redis.call('HEXISTS', key, 'begun') == 0 then return -1 end
for i = 2, #ARGV, 2 do
  local field, offset = ARGV[i], tonumber(ARGV[i + 1])
  local current = tonumber(redis.call('HGET', key, field))
  if current == nil or current < offset then
    redis.call('HSET', key, field, ARGV[i + 1])
    raised = raised + 1
  end
end

redis.call('EXPIRE', key, ttl)
return raised
