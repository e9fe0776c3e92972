-- Byte-wise string comparison. Lua's own `<` on strings uses strcoll, which depends on
-- the server's locale; order keys must compare the same everywhere (as Redis's sorted
-- sets and the TypeScript side do).
local function compareBytes(a, b)
  if a == b then return 0 end
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      if x < y then return -1 end
      return 1
    end
  end
  if #a < #b then return -1 end
  return 1
end
