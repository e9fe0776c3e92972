--[[
  Applies contact snapshots to one group's figures: retracts each contact's previous
  contribution, re-decides uniqueness (the customer's first contact of the day in this
  group), and adds the new contribution. Everything the group keeps shares one hash tag.

  KEYS[1]  the group's key prefix, e.g. wfm:g0:{g:7}:
  ARGV[1]  ttl of working state (per-contact records, uniqueness index), seconds
  ARGV[2]  ttl of figures (sums), seconds
  ARGV[3..] per update, 7 values:
           contactId
           version      snapshot version; an update not newer than the stored one is skipped
           day          local day (TIMEZONE) of the offer: where the record and its uniqueness live
           prefix       uniqueness prefix (customer) or '' when the contact is always unique
           member       uniqueness member: prefix .. padded offeredAt .. contactId, or ''
           tombstone    '1' when the contact left this group/day, else '0'
           terms        its contribution, serialised (see includes/vectors.lua)

  Version of a UTC day's historic sums (string hv:<utc day>): incremented whenever they
  change, so readers can keep answers until it moves.
  Per-contact records (hash cs:<day>, field contactId):
    version \31 unique(0|1) \31 prefix \31 member \31 terms      or      version \31 x
  Uniqueness index (zset uq:<day>, all scores 0): members sort by customer, then offer
  time, then contactId, so the first member with a prefix is that customer's unique one.

  Returns the number of updates applied.
]]
--@include "includes/vectors.lua"

local prefix = KEYS[1]
local stateTtl = tonumber(ARGV[1])
local figuresTtl = tonumber(ARGV[2])
local acc = newAccumulator()
local touchedState = {}
local applied = 0

local function parseRecord(text)
  if not text then return nil end
  local v, rest = string.match(text, '^(%d+)\31(.*)$')
  if rest == 'x' then return { v = tonumber(v), x = true } end
  local u, p, m, terms = string.match(rest, '^([01])\31([^\31]*)\31([^\31]*)\31(.*)$')
  return { v = tonumber(v), u = tonumber(u), p = p, m = m, t = terms }
end

local function recordText(r)
  return r.v .. '\31' .. r.u .. '\31' .. r.p .. '\31' .. r.m .. '\31' .. r.t
end

local function firstOf(uqKey, p)
  if p == '' then return nil end
  return redis.call('ZRANGEBYLEX', uqKey, '[' .. p, '[' .. p .. '\255', 'LIMIT', 0, 1)[1]
end

for i = 3, #ARGV, 7 do
  local contactId, version, day = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local newPrefix, newMember, tombstone, terms = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5] == '1', ARGV[i + 6]
  local csKey = prefix .. 'cs:' .. day
  local uqKey = prefix .. 'uq:' .. day
  local old = parseRecord(redis.call('HGET', csKey, contactId))
  if old == nil or old.v < version then
    applied = applied + 1
    touchedState[csKey] = true
    touchedState[uqKey] = true
    local oldMember = (old and old.m) or ''
    local oldPrefix = (old and old.p) or ''
    if tombstone then
      newMember = ''
      newPrefix = ''
    end

    if old and not old.x and not tombstone and oldMember == newMember and oldPrefix == newPrefix then
      -- same customer, same offer: uniqueness cannot change; only the terms that changed move
      replaceTerms(acc, prefix, old.t, terms, old.u)
      redis.call('HSET', csKey, contactId, recordText({ v = version, u = old.u, p = newPrefix, m = newMember, t = terms }))
    else
      -- 1. take the contact's previous contribution out
      if old and not old.x then accumulateTerms(acc, prefix, old.t, -1, old.u) end

      -- 2. move it in the uniqueness index, noting who was first before and after
      local prefixes = {}
      if oldPrefix ~= '' then prefixes[#prefixes + 1] = oldPrefix end
      if newPrefix ~= '' and newPrefix ~= oldPrefix then prefixes[#prefixes + 1] = newPrefix end
      local before = {}
      for k, p in ipairs(prefixes) do before[k] = firstOf(uqKey, p) end
      if oldMember ~= '' then redis.call('ZREM', uqKey, oldMember) end
      if newMember ~= '' then redis.call('ZADD', uqKey, 0, newMember) end
      local after = {}
      for k, p in ipairs(prefixes) do after[k] = firstOf(uqKey, p) end

      -- 3. other contacts of the same customer whose uniqueness changed
      for k, p in ipairs(prefixes) do
        if before[k] ~= after[k] then
          for _, member in ipairs({ before[k] or '', after[k] or '' }) do
            if member ~= '' and member ~= oldMember and member ~= newMember then
              local otherId = string.sub(member, #p + 16)
              local other = parseRecord(redis.call('HGET', csKey, otherId))
              if other and not other.x then
                local u = 0
                if other.m == after[k] then u = 1 end
                if u ~= other.u then
                  accumulateTerms(acc, prefix, other.t, -1, other.u)
                  accumulateTerms(acc, prefix, other.t, 1, u)
                  other.u = u
                  redis.call('HSET', csKey, otherId, recordText(other))
                end
              end
            end
          end
        end
      end

      -- 4. the new contribution, and the record that lets it be taken back later
      if tombstone then
        redis.call('HSET', csKey, contactId, version .. '\31x')
      else
        local u = 1
        if newPrefix ~= '' then
          u = 0
          for k, p in ipairs(prefixes) do
            if p == newPrefix and after[k] == newMember then u = 1 end
          end
        end
        accumulateTerms(acc, prefix, terms, 1, u)
        redis.call('HSET', csKey, contactId, recordText({ v = version, u = u, p = newPrefix, m = newMember, t = terms }))
      end
    end
  end
end

flushAccumulator(acc, figuresTtl)
-- a version per UTC day whose historic sums moved, so readers can tell a cached answer is current
local bumped = {}
for _, key in ipairs(acc.order) do
  local day = string.match(key, ':h15:(%d+)$')
  if day and not bumped[day] then
    bumped[day] = true
    redis.call('INCR', prefix .. 'hv:' .. day)
    redis.call('EXPIRE', prefix .. 'hv:' .. day, figuresTtl)
  end
end
for key, _ in pairs(touchedState) do
  redis.call('EXPIRE', key, stateTtl)
end
return applied
