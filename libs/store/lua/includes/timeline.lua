-- Per-entity timelines kept in one sorted set per UTC day, with an index of days, so the
-- events just before and after an instant can be found across midnight.
--   <prefix><family>:<day>  zset, score = occurredAt ms, member = eventId .. '\0' .. payload
--   <prefix><family>d       zset of day numbers that hold events
-- Equal scores sort by member bytes, i.e. by eventId: the order is (occurredAt, eventId).

local DAY_MS = 86400000

local function dayOf(ms)
  return math.floor(ms / DAY_MS)
end

local function timelineMember(eventId, payload)
  return eventId .. '\0' .. payload
end

local function parseMember(member, score)
  local cut = string.find(member, '\0', 1, true)
  local payload = cjson.decode(string.sub(member, cut + 1))
  return { id = string.sub(member, 1, cut - 1), ms = tonumber(score), p = payload, member = member }
end

-- Adds an event; returns false when it was there already.
local function timelineAdd(prefix, family, ms, member, touch)
  local day = dayOf(ms)
  local key = prefix .. family .. ':' .. day
  local added = redis.call('ZADD', key, ms, member)
  redis.call('ZADD', prefix .. family .. 'd', day, day)
  touch(key)
  touch(prefix .. family .. 'd')
  return added == 1
end

local function lastOfDay(prefix, family, day)
  local r = redis.call('ZRANGE', prefix .. family .. ':' .. day, -1, -1, 'WITHSCORES')
  if r[1] then return parseMember(r[1], r[2]) end
  return nil
end

local function firstOfDay(prefix, family, day)
  local r = redis.call('ZRANGE', prefix .. family .. ':' .. day, 0, 0, 'WITHSCORES')
  if r[1] then return parseMember(r[1], r[2]) end
  return nil
end

-- The events right before and right after a member already in the timeline.
local function timelineNeighbours(prefix, family, ms, member)
  local day = dayOf(ms)
  local key = prefix .. family .. ':' .. day
  local rank = redis.call('ZRANK', key, member)
  local prev, nxt
  if rank > 0 then
    local r = redis.call('ZRANGE', key, rank - 1, rank - 1, 'WITHSCORES')
    prev = parseMember(r[1], r[2])
  else
    local d = redis.call('ZREVRANGEBYSCORE', prefix .. family .. 'd', '(' .. day, '-inf', 'LIMIT', 0, 1)[1]
    if d then prev = lastOfDay(prefix, family, d) end
  end
  local r = redis.call('ZRANGE', key, rank + 1, rank + 1, 'WITHSCORES')
  if r[1] then
    nxt = parseMember(r[1], r[2])
  else
    local d = redis.call('ZRANGEBYSCORE', prefix .. family .. 'd', '(' .. day, '+inf', 'LIMIT', 0, 1)[1]
    if d then nxt = firstOfDay(prefix, family, d) end
  end
  return prev, nxt
end

-- The latest event of a timeline, or nil.
local function timelineLast(prefix, family)
  local days = redis.call('ZREVRANGE', prefix .. family .. 'd', 0, 4)
  for _, d in ipairs(days) do
    local last = lastOfDay(prefix, family, d)
    if last then return last end
  end
  return nil
end

-- Finished spans, stored in every UTC day they overlap:
--   <prefix><family>:<day> zset, score = start ms, member = JSON [start, end, startEventId, ...]
local function spanEach(prefix, family, startMs, endMs, fn)
  for d = dayOf(startMs), dayOf(endMs - 1) do
    fn(prefix .. family .. ':' .. d)
  end
end

local function spanAdd(prefix, family, startMs, endMs, member, touch)
  spanEach(prefix, family, startMs, endMs, function(key)
    redis.call('ZADD', key, startMs, member)
    touch(key)
  end)
end

local function spanRemove(prefix, family, startMs, endMs, member)
  spanEach(prefix, family, startMs, endMs, function(key)
    redis.call('ZREM', key, member)
  end)
end
