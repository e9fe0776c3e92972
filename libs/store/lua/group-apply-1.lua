--[[
  Applies contact snapshots to one group's figures: retracts each contact's previous
  contribution, re-decides uniqueness (the customer's first contact of the day in this
  group), and adds the new contribution. Everything the group keeps shares one hash tag.

  KEYS[1]  the group's key prefix, e.g. wfm:live:{g:7}:
  ARGV[1]  ttl of working state (per-contact records, uniqueness index), seconds
  ARGV[2]  ttl of figures (sums), seconds
  ARGV[3]  JSON array of updates, each
             c  contactId
             v  snapshot version; an update not newer than the stored one is skipped
             d  local day (TIMEZONE) of the offer: where the record and its uniqueness live
             p  uniqueness prefix (customer) or '' when the contact is always unique
             m  uniqueness member: p .. padded offeredAt .. contactId, or ''
             x  true for a tombstone: the contact left this group/day
             t  terms: [keySuffix, field, baseVector, uniqueVector|null]

  Per-contact records (hash cs:<day>, field contactId) hold JSON {v, u, p, m, t, x}:
  u is 1 while the contact's unique part is counted.

  Uniqueness index (zset uq:<day>, all scores 0): members sort by customer, then
  offeredAt, then contactId, so the first member with a prefix is that customer's
  unique contact.

  Returns the number of updates applied.
]]
--@include "includes/vectors.lua"

local prefix = KEYS[1]
local stateTtl = tonumber(ARGV[1])
local figuresTtl = tonumber(ARGV[2])
local updates = cjson.decode(ARGV[3])
local acc = newAccumulator()
local touchedState = {}
local applied = 0

local function addTerms(terms, sign, unique)
  if not terms then return end
  for _, term in ipairs(terms) do
    local uniq = term[4]
    if uniq == cjson.null then uniq = nil end
    accumulate(acc, prefix .. term[1], term[2], term[3], uniq, unique, sign)
  end
end

local function firstOf(uqKey, p)
  if p == nil or p == '' then return nil end
  local r = redis.call('ZRANGEBYLEX', uqKey, '[' .. p, '[' .. p .. '\255', 'LIMIT', 0, 1)
  return r[1]
end

for _, upd in ipairs(updates) do
  local csKey = prefix .. 'cs:' .. upd.d
  local uqKey = prefix .. 'uq:' .. upd.d
  local oldText = redis.call('HGET', csKey, upd.c)
  local old = nil
  if oldText then old = cjson.decode(oldText) end
  if old == nil or old.v < upd.v then
    applied = applied + 1
    touchedState[csKey] = true
    touchedState[uqKey] = true
    local oldMember = (old and old.m) or ''
    local oldPrefix = (old and old.p) or ''
    local newMember = upd.m
    local newPrefix = upd.p
    if upd.x then
      newMember = ''
      newPrefix = ''
    end

    -- 1. take the contact's previous contribution out
    if old and not old.x then addTerms(old.t, -1, old.u) end

    -- 2. move it in the uniqueness index, noting who was first before and after
    local prefixes = {}
    if oldPrefix ~= '' then prefixes[#prefixes + 1] = oldPrefix end
    if newPrefix ~= '' and newPrefix ~= oldPrefix then prefixes[#prefixes + 1] = newPrefix end
    local before = {}
    for i, p in ipairs(prefixes) do before[i] = firstOf(uqKey, p) end
    if oldMember ~= '' then redis.call('ZREM', uqKey, oldMember) end
    if newMember ~= '' then redis.call('ZADD', uqKey, 0, newMember) end
    local after = {}
    for i, p in ipairs(prefixes) do after[i] = firstOf(uqKey, p) end

    -- 3. other contacts of the same customer whose uniqueness changed
    for i, p in ipairs(prefixes) do
      if before[i] ~= after[i] then
        for _, member in ipairs({ before[i] or '', after[i] or '' }) do
          if member ~= '' and member ~= oldMember and member ~= newMember then
            local otherId = string.sub(member, #p + 16)
            local otherText = redis.call('HGET', csKey, otherId)
            if otherText then
              local other = cjson.decode(otherText)
              local u = 0
              if other.m == after[i] then u = 1 end
              if u ~= other.u then
                addTerms(other.t, -1, other.u)
                addTerms(other.t, 1, u)
                other.u = u
                redis.call('HSET', csKey, otherId, cjson.encode(other))
              end
            end
          end
        end
      end
    end

    -- 4. the new contribution, and the record that lets it be retracted later
    if upd.x then
      redis.call('HSET', csKey, upd.c, cjson.encode({ v = upd.v, x = true }))
    else
      local u = 1
      if newPrefix ~= '' then
        u = 0
        for i, p in ipairs(prefixes) do
          if p == newPrefix and after[i] == newMember then u = 1 end
        end
      end
      addTerms(upd.t, 1, u)
      redis.call('HSET', csKey, upd.c,
        cjson.encode({ v = upd.v, u = u, p = newPrefix, m = newMember, t = upd.t }))
    end
  end
end

flushAccumulator(acc, figuresTtl)
for key, _ in pairs(touchedState) do
  redis.call('EXPIRE', key, stateTtl)
end
return applied
