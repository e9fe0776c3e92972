--[[
  Records a service instance's status snapshot and the lasting changes it reports
  (libs/store/src/status/status-reporter.ts). Every key shares the {status} hash tag.

  KEYS[1]  the index (zset: member → time of its last report)
  KEYS[2]  the instance's snapshot
  KEYS[3..] the lasting records the changes name (r:<name>)
  ARGV[1]  the instance member, <service>/<host>-<pid>-<random>
  ARGV[2]  the snapshot, JSON
  ARGV[3]  the snapshot's time to live, ms
  ARGV[4]  now, epoch ms
  ARGV[5]  time to live of the lasting records, seconds (renewed by every change)
  ARGV[6..] changes, 4 values each: op, index in KEYS of its record, field, value
           inc   HINCRBY record field value
           max   HSET record field value, when value is greater than the current one
           set   HSET record field value
           push  LPUSH record value, keeping the latest 20 (field unused)

  The index loses members whose last report is older than the snapshot's time to live.
  Returns the number of instances in the index.
]]
local index, instance = KEYS[1], KEYS[2]
local member, snapshot = ARGV[1], ARGV[2]
local ttlMs, now, recordTtl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])

redis.call('SET', instance, snapshot, 'PX', ttlMs)
redis.call('ZADD', index, now, member)
redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. (now - ttlMs))
redis.call('PEXPIRE', index, ttlMs * 10)

for i = 6, #ARGV, 4 do
  local op, key, field, value = ARGV[i], KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3]
  if op == 'inc' then
    redis.call('HINCRBY', key, field, value)
  elseif op == 'max' then
    local current = tonumber(redis.call('HGET', key, field))
    if current == nil or tonumber(value) > current then redis.call('HSET', key, field, value) end
  elseif op == 'set' then
    redis.call('HSET', key, field, value)
  elseif op == 'push' then
    redis.call('LPUSH', key, value)
    redis.call('LTRIM', key, 0, 19)
  end
  redis.call('EXPIRE', key, recordTtl)
end
return redis.call('ZCARD', index)
