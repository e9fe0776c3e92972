-- Per-field expiry of a hash (Redis 7.0 has no HEXPIRE), so a hash that is written for
-- ever still forgets fields nobody writes any more (docs/architecture.md, "Retention").
-- A value ends in "\30<unix seconds of its last write>" (\30 never occurs in event text:
-- docs/events.md refuses control characters). Each script call looks at one bounded
-- slice of the hash, HSCAN from a cursor kept beside it, and deletes the fields last
-- written more than ttl seconds ago, with the same field of companion hashes. A value
-- written before stamps existed gets one, so it expires ttl from then.

local function redisNow()
  return tonumber(redis.call('TIME')[1])
end

local function stamped(value, now)
  return value .. '\30' .. now
end

-- The value without its stamp, and the stamp (nil when it has none).
local function unstamped(value)
  local cut = string.find(value, '\30', 1, true)
  if cut then
    return string.sub(value, 1, cut - 1), tonumber(string.sub(value, cut + 1))
  end
  return value, nil
end

local function expireFields(key, cursorKey, companions, now, ttl, count)
  local cursor = redis.call('GET', cursorKey) or '0'
  local reply = redis.call('HSCAN', key, cursor, 'COUNT', count)
  local entries = reply[2]
  local removed = 0
  for i = 1, #entries, 2 do
    local field = entries[i]
    local plain, at = unstamped(entries[i + 1])
    if at == nil then
      redis.call('HSET', key, field, stamped(plain, now))
    elseif at + ttl < now then
      redis.call('HDEL', key, field)
      for _, other in ipairs(companions) do
        redis.call('HDEL', other, field)
      end
      removed = removed + 1
    end
  end
  if reply[1] == '0' then
    redis.call('DEL', cursorKey)
  else
    redis.call('SET', cursorKey, reply[1], 'EX', ttl)
  end
  return removed
end
