-- Running sums: vectors of numbers kept in hash fields as compact text: the values in
-- order, joined by ',', each written with %.17g (exact for every double, so for integers
-- below 2^53) and a zero written as nothing: `2,2,,2,2,,412345,34000,1,180000`. A value of
-- a minute's bucket is some 30 bytes, short enough for Redis's listpack encoding
-- (docs/architecture.md, "Running sums: compact vectors"). Deltas are accumulated per
-- (key, field) and written once per script call.
--
-- Values written before (packed little-endian doubles, 8 bytes each) are still read: such
-- a value always holds a byte that text never has (a double's sign-and-exponent byte, 0x00
-- for a zero and 0x3F-0x43 or 0xBF-0xC3 for an integer of magnitude 1..2^53), and it is
-- rewritten as text the next time its field changes.
--
-- A term, as the caller serialises it (and as it is stored to be taken back later):
--   key suffix \31 field \31 length \31 base pairs \31 unique pairs
-- where pairs are sparse `index:value,index:value` (0-based); terms are joined by \30.
-- A term's key is a name, resolved through the targets the caller declares
-- (libs/store/src/keys.ts builds them): `targets[name] = { sums = key }`, or, for a
-- historic term (name `h:<utc day>`, field = minute of the day), `{ sums = the 1-minute
-- buckets, sums15 = the 15-minute ones (field minute / 15), version = the day's version }`.
-- A name with no target is noted in `acc.missing` and counts nowhere: the caller then
-- changes nothing and asks for it to be declared.

local FORMATS = {}
local function vectorFormat(n)
  local f = FORMATS[n]
  if f == nil then
    f = '<' .. string.rep('d', n)
    FORMATS[n] = f
  end
  return f
end

local function unpackVector(bytes)
  if not bytes or #bytes == 0 then return {} end
  if string.find(bytes, '^[-+.,0-9eE]*$') then
    local values, from = {}, 1
    while true do
      local cut = string.find(bytes, ',', from, true)
      values[#values + 1] = tonumber(string.sub(bytes, from, (cut or 0) - 1)) or 0
      if not cut then return values end
      from = cut + 1
    end
  end
  -- packed doubles, as written before the text form
  local values = { struct.unpack(vectorFormat(#bytes / 8), bytes) }
  values[#values] = nil -- struct.unpack also returns the next position
  return values
end

local function packVector(values)
  local parts = {}
  for i = 1, #values do
    local v = values[i]
    if v == 0 then
      parts[i] = ''
    else
      parts[i] = string.format('%.17g', v)
    end
  end
  return table.concat(parts, ',')
end

local function newAccumulator(targets)
  return { keys = {}, order = {}, targets = targets, missing = {}, versions = {} }
end

local function addPairs(vec, pairs, factor)
  if factor == 0 or pairs == '' then return end
  for i, v in string.gmatch(pairs, '(%d+):(%-?%d+)') do
    local index = tonumber(i) + 1
    vec[index] = (vec[index] or 0) + factor * tonumber(v)
  end
end

local function accumulateInto(acc, fullKey, field, len, base, uniq, sign, unique)
  local fields = acc.keys[fullKey]
  if fields == nil then
    fields = {}
    acc.keys[fullKey] = fields
    acc.order[#acc.order + 1] = fullKey
  end
  local vec = fields[field]
  if vec == nil then
    vec = { n = len }
    fields[field] = vec
  elseif len > vec.n then
    vec.n = len
  end
  addPairs(vec, base, sign)
  if unique == 1 then addPairs(vec, uniq, sign) end
end

-- Adds sign * (base + unique * uniq) of one serialised term.
local function accumulateTerm(acc, term, sign, unique)
  local name, field, len, base, uniq = string.match(term, '^([^\31]*)\31([^\31]*)\31(%d+)\31([^\31]*)\31?(.*)$')
  len = tonumber(len)
  local target = acc.targets[name]
  if target == nil then
    acc.missing[#acc.missing + 1] = name
  elseif target.sums15 then
    accumulateInto(acc, target.sums, field, len, base, uniq, sign, unique)
    accumulateInto(acc, target.sums15, tostring(math.floor(tonumber(field) / 15)), len, base, uniq, sign, unique)
    acc.versions[target.version] = true
  else
    accumulateInto(acc, target.sums, field, len, base, uniq, sign, unique)
  end
end

-- Adds sign * (base + unique * uniq) of every term in a serialised list.
local function accumulateTerms(acc, terms, sign, unique)
  if not terms or terms == '' then return end
  for term in string.gmatch(terms, '[^\30]+') do accumulateTerm(acc, term, sign, unique) end
end

-- Replaces one contribution by another: terms present in both, byte for byte, cancel out
-- and are not even parsed; only the ones that changed are taken back or added.
local function replaceTerms(acc, oldTerms, newTerms, unique)
  local old = {}
  for term in string.gmatch(oldTerms, '[^\30]+') do old[term] = (old[term] or 0) + 1 end
  for term in string.gmatch(newTerms, '[^\30]+') do
    if (old[term] or 0) > 0 then
      old[term] = old[term] - 1
    else
      accumulateTerm(acc, term, 1, unique)
    end
  end
  for term, count in pairs(old) do
    for _ = 1, count do accumulateTerm(acc, term, -1, unique) end
  end
end

-- Calls `command` on `key` with `values`, at most CHUNK (an even number: field, value
-- pairs stay together) at a time: unpack() of more than a few thousand values overflows
-- Lua's C stack (a group with thousands of waiting contacts in one batch).
local CHUNK = 1000
local function chunked(command, key, values)
  for from = 1, #values, CHUNK do
    redis.call(command, key, unpack(values, from, math.min(from + CHUNK - 1, #values)))
  end
end

-- Writes every accumulated delta, three calls per key (in chunks of CHUNK fields): one
-- HMGET, one HSET of the new sums, one HDEL of the fields that sum to zero.
local function flushAccumulator(acc, ttl)
  for _, key in ipairs(acc.order) do
    local fields, deltas = {}, {}
    for field, delta in pairs(acc.keys[key]) do
      for i = 1, delta.n do
        if (delta[i] or 0) ~= 0 then
          fields[#fields + 1] = field
          deltas[#deltas + 1] = delta
          break
        end
      end
    end
    if #fields > 0 then
      local currents = {}
      for from = 1, #fields, CHUNK do
        local reply = redis.call('HMGET', key, unpack(fields, from, math.min(from + CHUNK - 1, #fields)))
        for k = 1, math.min(CHUNK, #fields - from + 1) do currents[from + k - 1] = reply[k] end
      end
      local sets, dels = {}, {}
      for k, field in ipairs(fields) do
        local current = unpackVector(currents[k])
        local delta = deltas[k]
        local n = math.max(#current, delta.n)
        local allZero = true
        local out = {}
        for i = 1, n do
          local v = (current[i] or 0) + (delta[i] or 0)
          out[i] = v
          if v ~= 0 then allZero = false end
        end
        if allZero then
          dels[#dels + 1] = field
        else
          sets[#sets + 1] = field
          sets[#sets + 1] = packVector(out)
        end
      end
      if #sets > 0 then chunked('HSET', key, sets) end
      if #dels > 0 then chunked('HDEL', key, dels) end
    end
    redis.call('EXPIRE', key, ttl)
  end
end
