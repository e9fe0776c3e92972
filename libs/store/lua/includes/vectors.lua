-- Running sums kept as comma-separated integer vectors in hash fields.
-- Deltas are accumulated per (key, field) and written once per script call.

local function newAccumulator()
  return { keys = {}, order = {} }
end

-- Adds sign * (base + unique * uniq) into the accumulator.
local function accumulate(acc, key, field, base, uniq, unique, sign)
  local fields = acc.keys[key]
  if fields == nil then
    fields = {}
    acc.keys[key] = fields
    acc.order[#acc.order + 1] = key
  end
  local vec = fields[field]
  if vec == nil then
    vec = {}
    fields[field] = vec
  end
  for i = 1, #base do
    vec[i] = (vec[i] or 0) + sign * base[i]
  end
  if unique == 1 and uniq then
    for i = 1, #uniq do
      vec[i] = (vec[i] or 0) + sign * uniq[i]
    end
  end
end

local function parseVector(text)
  local vec = {}
  if text then
    for n in string.gmatch(text, '[^,]+') do
      vec[#vec + 1] = tonumber(n)
    end
  end
  return vec
end

-- Writes every accumulated delta; fields that sum to all zeros are removed.
local function flushAccumulator(acc, ttl)
  for _, key in ipairs(acc.order) do
    for field, delta in pairs(acc.keys[key]) do
      local nonzeroDelta = false
      for i = 1, #delta do
        if delta[i] ~= 0 then nonzeroDelta = true end
      end
      if nonzeroDelta then
        local current = parseVector(redis.call('HGET', key, field))
        local n = math.max(#current, #delta)
        local allZero = true
        local out = {}
        for i = 1, n do
          local v = (current[i] or 0) + (delta[i] or 0)
          out[i] = string.format('%d', v)
          if v ~= 0 then allZero = false end
        end
        if allZero then
          redis.call('HDEL', key, field)
        else
          redis.call('HSET', key, field, table.concat(out, ','))
        end
      end
    end
    redis.call('EXPIRE', key, ttl)
  end
end
