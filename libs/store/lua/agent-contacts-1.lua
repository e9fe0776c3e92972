--[[
  Records the contacts an agent answered, from contact snapshots: the source of
  agentCallsData, of chat work time and of the agent figures of exports. A snapshot not
  newer than the stored one is skipped; a tombstone removes a contact that moved to
  another agent or answer day.

  KEYS[1]  the agent's key prefix, e.g. wfm:g0:{a:42}:
  ARGV[1]  ttl, seconds
  ARGV[2]  JSON array of updates, each
             c  contactId
             v  snapshot version
             d  UTC day of the answer: the record lives in calls:<d>
             x  true for a tombstone
             r  {g groupId, h channel, a answered ms, n ended ms or null, o outcome or null,
                 w wrapped (bool)}

  Keys under the prefix:
    calls:<day>   hash contactId → JSON {v, r} or {v, x}
    chats:<day>   hash contactId → "answered,ended" for finished CHATS contacts, in every
                  UTC day the chat overlaps

  Returns the number of updates applied.
]]
local prefix = KEYS[1]
local ttl = tonumber(ARGV[1])
local updates = cjson.decode(ARGV[2])
local DAY_MS = 86400000
local touched = {}
local applied = 0

local function chatDays(r, fn)
  if r == nil or r == cjson.null or r.h ~= 'CHATS' or r.n == nil or r.n == cjson.null or r.n <= r.a then
    return
  end
  for d = math.floor(r.a / DAY_MS), math.floor((r.n - 1) / DAY_MS) do
    fn(prefix .. 'chats:' .. d)
  end
end

for _, upd in ipairs(updates) do
  local key = prefix .. 'calls:' .. upd.d
  local oldText = redis.call('HGET', key, upd.c)
  local old = nil
  if oldText then old = cjson.decode(oldText) end
  if old == nil or old.v < upd.v then
    applied = applied + 1
    if old and not old.x then
      chatDays(old.r, function(k) redis.call('HDEL', k, upd.c) end)
    end
    if upd.x then
      redis.call('HSET', key, upd.c, cjson.encode({ v = upd.v, x = true }))
    else
      redis.call('HSET', key, upd.c, cjson.encode({ v = upd.v, r = upd.r }))
      chatDays(upd.r, function(k)
        redis.call('HSET', k, upd.c, string.format('%d,%d', upd.r.a, upd.r.n))
        touched[k] = true
      end)
    end
    touched[key] = true
  end
end
for k, _ in pairs(touched) do
  redis.call('EXPIRE', k, ttl)
end
return applied
