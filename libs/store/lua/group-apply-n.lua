--[[
  Applies contact snapshots to the keys of one slot of a group (libs/store/src/keys.ts,
  docs/architecture.md "Key layout"): retracts each contact's previous contribution to
  this slot, re-decides uniqueness (the customer's first contact of the day in this group)
  where the slot holds it, and adds the new contribution. A group's keys live in several
  slots (its current state, its months); each call touches one, and each slot keeps its
  own per-contact records, so a call is idempotent on its own.

  KEYS     every key the call may touch, all of one slot; the arguments below name them
           by index
  ARGV[1]  ttl of working state (per-contact records, uniqueness index), seconds
  ARGV[2]  ttl of figures (sums), seconds
  ARGV[3]  n, the number of local days the updates live in
  ARGV[4]  m, the number of term names declared
  then n times 4 values: local day, index of its records key (cs), of its uniqueness
           index (uq) and of its far-months record (cf), the last two 0 in a slot that
           does not hold the day's uniqueness
  then m times 4 values: a term name as terms carry it (`h:<utc day>`, `d:<local day>`,
           `now`, `wq`), the index of its sums key, and for a historic name the indexes
           of its 15-minute sums and of the day's version (else 0 and 0)
  then per update, 8 values:
           contactId
           version      snapshot version; an update not newer than the stored one is skipped
           day          local day (TIMEZONE) of the offer: where the record (and its uniqueness) live
           prefix       uniqueness prefix (customer) or '' when the contact is always unique
                        (always '' outside the slot of the offer day's month)
           member       uniqueness member: prefix .. padded offeredAt .. contactId, or ''
           tombstone    '1' when the contact left this group/day (or this slot), else '0'
           terms        its contribution to this slot, serialised (see includes/vectors.lua)
           far          the other month slots this contribution has terms in, joined by ','

  Version of a UTC day's historic sums (string hv:<utc day>): incremented whenever they
  change, so readers can keep answers until it moves.
  Per-contact records (hash cs:<day>, field contactId):
    version \31 unique(0|1) \31 prefix \31 member \31 terms      or      version \31 x
  Uniqueness index (zset uq:<day>, all scores 0): members sort by customer, then offer
  time, then contactId, so the first member with a prefix is that customer's unique one.
  Far months (hash cf:<day>, field contactId, in the offer day's month only): every other
  month slot the contact ever had terms in, joined by ','. It only grows, so a slot whose
  terms a contact dropped is still named after a crash between the calls of two slots.

  Returns { applied, missing, far }: the number of updates applied; the names of terms a
  stored contribution names but whose keys were not declared (when any, nothing changed:
  the caller declares them and calls again); and triples contactId, day, month of far
  months recorded for a contact but not in its update's `far` (the caller retracts the
  contact's terms there with the same version).
]]
--@include "includes/vectors.lua"
--@include "includes/expire.lua"

local stateTtl = tonumber(ARGV[1])
local figuresTtl = tonumber(ARGV[2])
local csKeys, uqKeys, cfKeys, targets = {}, {}, {}, {}
local at = 5
for _ = 1, tonumber(ARGV[3]) do
  csKeys[ARGV[at]] = KEYS[tonumber(ARGV[at + 1])]
  local uq, cf = tonumber(ARGV[at + 2]), tonumber(ARGV[at + 3])
  if uq > 0 then uqKeys[ARGV[at]] = KEYS[uq] end
  if cf > 0 then cfKeys[ARGV[at]] = KEYS[cf] end
  at = at + 4
end
for _ = 1, tonumber(ARGV[4]) do
  local sums15 = tonumber(ARGV[at + 2])
  if sums15 > 0 then
    targets[ARGV[at]] = { sums = KEYS[tonumber(ARGV[at + 1])], sums15 = KEYS[sums15], version = KEYS[tonumber(ARGV[at + 3])] }
  else
    targets[ARGV[at]] = { sums = KEYS[tonumber(ARGV[at + 1])] }
  end
  at = at + 4
end
local acc = newAccumulator(targets)
local touchedState = {}
local applied = 0
local farWrites, farReply = {}, {}

-- the far months recorded for a contact, the ones its update does not name reported back
local function noteFar(cfKey, contactId, day, far)
  local stored = redis.call('HGET', cfKey, contactId) or ''
  local named, all = {}, {}
  for month in string.gmatch(far, '[^,]+') do named[month] = true end
  for month in string.gmatch(stored, '[^,]+') do
    all[month] = true
    if not named[month] then
      farReply[#farReply + 1] = contactId
      farReply[#farReply + 1] = day
      farReply[#farReply + 1] = month
    end
  end
  local grown = stored
  for month in string.gmatch(far, '[^,]+') do
    if not all[month] then
      all[month] = true
      if grown == '' then grown = month else grown = grown .. ',' .. month end
    end
  end
  if grown ~= stored then farWrites[#farWrites + 1] = { cfKey, contactId, grown } end
end

-- what the loop writes, so that it can be taken back when a term turns out undeclared
local undo = {}
local function hset(key, field, value, previous)
  undo[#undo + 1] = { 'h', key, field, previous }
  redis.call('HSET', key, field, value)
end
local function zrem(key, member)
  if redis.call('ZREM', key, member) == 1 then undo[#undo + 1] = { 'r', key, member } end
end
local function zadd(key, member)
  if redis.call('ZADD', key, 0, member) == 1 then undo[#undo + 1] = { 'a', key, member } end
end
local function rollBack()
  for k = #undo, 1, -1 do
    local u = undo[k]
    if u[1] == 'h' and u[4] then
      redis.call('HSET', u[2], u[3], u[4])
    elseif u[1] == 'h' then
      redis.call('HDEL', u[2], u[3])
    elseif u[1] == 'r' then
      redis.call('ZADD', u[2], 0, u[3])
    else
      redis.call('ZREM', u[2], u[3])
    end
  end
end

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

for i = at, #ARGV, 8 do
  local contactId, version, day = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local newPrefix, newMember, tombstone, terms = ARGV[i + 3], ARGV[i + 4], ARGV[i + 5] == '1', ARGV[i + 6]
  local csKey, uqKey, cfKey = csKeys[day], uqKeys[day], cfKeys[day]
  if cfKey then noteFar(cfKey, contactId, day, ARGV[i + 7]) end
  local oldText = redis.call('HGET', csKey, contactId)
  local old = parseRecord(oldText)
  if old == nil or old.v < version then
    applied = applied + 1
    touchedState[csKey] = true
    if uqKey then touchedState[uqKey] = true end
    local oldMember = (old and old.m) or ''
    local oldPrefix = (old and old.p) or ''
    if tombstone then
      newMember = ''
      newPrefix = ''
    end

    if old and not old.x and not tombstone and oldMember == newMember and oldPrefix == newPrefix then
      -- same customer, same offer: uniqueness cannot change; only the terms that changed move
      replaceTerms(acc, old.t, terms, old.u)
      hset(csKey, contactId, recordText({ v = version, u = old.u, p = newPrefix, m = newMember, t = terms }), oldText)
    else
      -- 1. take the contact's previous contribution out
      if old and not old.x then accumulateTerms(acc, old.t, -1, old.u) end

      -- 2. move it in the uniqueness index, noting who was first before and after
      local prefixes = {}
      if oldPrefix ~= '' then prefixes[#prefixes + 1] = oldPrefix end
      if newPrefix ~= '' and newPrefix ~= oldPrefix then prefixes[#prefixes + 1] = newPrefix end
      local before = {}
      for k, p in ipairs(prefixes) do before[k] = firstOf(uqKey, p) end
      if oldMember ~= '' then zrem(uqKey, oldMember) end
      if newMember ~= '' then zadd(uqKey, newMember) end
      local after = {}
      for k, p in ipairs(prefixes) do after[k] = firstOf(uqKey, p) end

      -- 3. other contacts of the same customer whose uniqueness changed
      for k, p in ipairs(prefixes) do
        if before[k] ~= after[k] then
          for _, member in ipairs({ before[k] or '', after[k] or '' }) do
            if member ~= '' and member ~= oldMember and member ~= newMember then
              local otherId = string.sub(member, #p + 16)
              local otherText = redis.call('HGET', csKey, otherId)
              local other = parseRecord(otherText)
              if other and not other.x then
                local u = 0
                if other.m == after[k] then u = 1 end
                if u ~= other.u then
                  accumulateTerms(acc, other.t, -1, other.u)
                  accumulateTerms(acc, other.t, 1, u)
                  other.u = u
                  hset(csKey, otherId, recordText(other), otherText)
                end
              end
            end
          end
        end
      end

      -- 4. the new contribution, and the record that lets it be taken back later
      if tombstone then
        hset(csKey, contactId, version .. '\31x', oldText)
      else
        local u = 1
        if newPrefix ~= '' then
          u = 0
          for k, p in ipairs(prefixes) do
            if p == newPrefix and after[k] == newMember then u = 1 end
          end
        end
        accumulateTerms(acc, terms, 1, u)
        hset(csKey, contactId, recordText({ v = version, u = u, p = newPrefix, m = newMember, t = terms }), oldText)
      end
    end
  end
end

if #acc.missing > 0 then
  rollBack()
  return { 0, acc.missing, {} }
end
for _, w in ipairs(farWrites) do
  redis.call('HSET', w[1], w[2], w[3])
  touchedState[w[1]] = true
end
flushAccumulator(acc, figuresTtl)
-- a version per UTC day whose historic sums moved, so readers can tell a cached answer is current
for key, _ in pairs(acc.versions) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, figuresTtl)
end
expireAll(touchedState, stateTtl)
return { applied, {}, farReply }
