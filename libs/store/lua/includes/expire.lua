-- Gives every key of a set (key → true) the time to live `ttl`, seconds.
local function expireAll(keys, ttl)
  for key, _ in pairs(keys) do
    redis.call('EXPIRE', key, ttl)
  end
end
