--[[
  Packs closed days of one agent's state timeline (agent-apply-n.lua returns them): each
  day's tl zset is packed into tlp:<day>, merged with what was packed before, and
  deleted, and the day leaves tlu (docs/architecture.md, "Closed days: packed
  timelines"). An event that arrives later for a packed day goes into a new tl zset, and
  the next packing merges the two (a member in both keeps the zset's score, as a second
  ZADD would). Readers read both. The packed form, \30 between parts:
    P1 \30 payloads, \29 between them \30 entry \30 entry …
  one entry per member in zset order (by score, then member bytes):
    ms minus the previous entry's ms \29 bytes shared with the previous entry's eventId \29
    the rest of its eventId \29 index of its payload (0-based)
  Ids and payloads hold no control characters (docs/events.md), so \29 and \30 separate.

  KEYS     KEYS[1] the agent's tlu (days not packed yet), then 2 per day, in the order of
           ARGV[2..]: tl:<day>, tlp:<day>
  ARGV[1]  ttl of timelines, seconds (RETENTION_DAYS), for a packed key whose zset had none
  ARGV[2..] the days to pack

  Returns the number of days packed.
]]
--@include "includes/compare.lua"
local ttl = tonumber(ARGV[1])

-- text split at every `sep` (one byte), empty parts kept
local function split(text, sep)
  local parts, from = {}, 1
  while true do
    local cut = string.find(text, sep, from, true)
    parts[#parts + 1] = string.sub(text, from, (cut or 0) - 1)
    if not cut then return parts end
    from = cut + 1
  end
end

-- { ms, member } of a packed timeline, in its order
local function unpackTimeline(text)
  local parts = split(text, '\30')
  local payloads = split(parts[2] or '', '\29')
  local entries, ms, id = {}, 0, ''
  for k = 3, #parts do
    local f = split(parts[k], '\29')
    ms = ms + tonumber(f[1])
    id = string.sub(id, 1, tonumber(f[2])) .. f[3]
    entries[#entries + 1] = { ms, id .. '\0' .. payloads[tonumber(f[4]) + 1] }
  end
  return entries
end

-- the packed text of { ms, member } entries in zset order; nil if a member is not eventId \0 payload
local function packTimeline(entries)
  local payloads, index, out = {}, {}, {}
  local prevMs, prevId = 0, ''
  for k, e in ipairs(entries) do
    local cut = string.find(e[2], '\0', 1, true)
    if not cut then return nil end
    local id, payload = string.sub(e[2], 1, cut - 1), string.sub(e[2], cut + 1)
    local i = index[payload]
    if i == nil then
      payloads[#payloads + 1] = payload
      i = #payloads - 1
      index[payload] = i
    end
    local shared, n = 0, math.min(#id, #prevId)
    while shared < n and string.byte(id, shared + 1) == string.byte(prevId, shared + 1) do shared = shared + 1 end
    out[k] = string.format('%.17g', e[1] - prevMs) .. '\29' .. shared .. '\29' .. string.sub(id, shared + 1) .. '\29' .. i
    prevMs, prevId = e[1], id
  end
  return 'P1\30' .. table.concat(payloads, '\29') .. '\30' .. table.concat(out, '\30')
end

-- packs a closed day's tl zset into tlp:<day>, merged with what was packed before; the
-- packed key keeps the longer of the two remaining TTLs
local function packDay(zkey, pkey)
  local flat = redis.call('ZRANGE', zkey, 0, -1, 'WITHSCORES')
  if #flat == 0 then return end
  local entries, seen = {}, {}
  for i = 1, #flat, 2 do
    entries[#entries + 1] = { tonumber(flat[i + 1]), flat[i] }
    seen[flat[i]] = true
  end
  local ttlMs = redis.call('PTTL', zkey)
  local old = redis.call('GET', pkey)
  if old then
    for _, e in ipairs(unpackTimeline(old)) do
      if not seen[e[2]] then entries[#entries + 1] = e end
    end
    table.sort(entries, function(a, b)
      if a[1] ~= b[1] then return a[1] < b[1] end
      return compareBytes(a[2], b[2]) < 0
    end)
    ttlMs = math.max(ttlMs, redis.call('PTTL', pkey))
  end
  local text = packTimeline(entries)
  if text == nil then return end
  if ttlMs > 0 then
    redis.call('SET', pkey, text, 'PX', ttlMs)
  else
    redis.call('SET', pkey, text, 'EX', ttl)
  end
  redis.call('DEL', zkey)
end

for k = 2, #ARGV do
  packDay(KEYS[2 * k - 2], KEYS[2 * k - 1])
  redis.call('ZREM', KEYS[1], ARGV[k])
end
return #ARGV - 1
