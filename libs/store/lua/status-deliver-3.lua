--[[
  The holder of agents' outbox leases reports what it delivered and gets what comes next
  (docs/architecture.md, "The emitter"). Per agent: when the caller still holds the lease,
  an acknowledged push advances the head entry (the entry goes when its last push is
  acknowledged), the lease is renewed, and the reply is the head entry; when the outbox is
  then empty the lease ends; when another emitter has claimed a
  change of the agent meanwhile (its partition moved), the lease is released between two
  entries, for that emitter's next claim or the next takeover. Mode 'release' gives the leases up
  at once instead (a stopping emitter): another emitter takes them over.

  KEYS[1]  the outbox hash (includes/outbox.lua)
  KEYS[2]  the outbox entries hash
  KEYS[3]  the outbox leases (zset)
  ARGV[1]  the caller's owner id
  ARGV[2]  lease, ms
  ARGV[3]  mode: 'hold' or 'release'
  ARGV[4..] per agent, 4 values: agentId, the acknowledged entry's seq ('' none), pushes of
           it delivered so far, '1' when that was its last push

  Returns, per agent: '-' the caller does not hold the lease (any more); '=' nothing left
  (or released); '>' released for another emitter; else seq \28 pushes of it delivered
  \28 the entry.
]]
--@include "includes/outbox.lua"

local outbox, entries, leases = KEYS[1], KEYS[2], KEYS[3]
local owner, leaseMs, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local nowMs = redisNowMs()
local result = {}
for i = 4, #ARGV, 4 do
  local agentId, ackSeq, ackDone, ackLast = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local h = readHeader(outbox, agentId)
  if not h or h.owner ~= owner then
    result[#result + 1] = '-'
  elseif mode == 'release' then
    h.owner = ''
    writeHeader(outbox, agentId, h)
    redis.call('ZADD', leases, 0, agentId)
    result[#result + 1] = '='
  else
    local completed = false
    if ackSeq ~= '' and tonumber(ackSeq) == h.head then
      if ackLast == '1' then
        redis.call('HDEL', entries, entryField(agentId, h.head))
        h.head = h.head + 1
        h.done = 0
        completed = true
      else
        h.done = math.max(h.done, tonumber(ackDone))
      end
    end
    if h.head > h.tail then
      -- nothing left: the lease ends; the header stays (its sequence numbers go on, so an
      -- acknowledgement that comes late never matches a later entry) and is forgotten
      -- with the agent's claim record (status-claim-5.lua)
      h.owner = ''
      h.want = ''
      writeHeader(outbox, agentId, h)
      redis.call('ZREM', leases, agentId)
      result[#result + 1] = '='
    elseif completed and h.want ~= '' and h.want ~= owner then
      -- an entry just completed (nothing of the agent's is in flight), and another emitter
      -- claims the agent's changes now: the lease is released, for that emitter's next
      -- claim or anyone's next takeover
      h.owner = ''
      h.want = ''
      writeHeader(outbox, agentId, h)
      redis.call('ZADD', leases, 0, agentId)
      result[#result + 1] = '>'
    else
      writeHeader(outbox, agentId, h)
      redis.call('ZADD', leases, nowMs + leaseMs, agentId)
      local entry = redis.call('HGET', entries, entryField(agentId, h.head)) or ''
      result[#result + 1] = h.head .. '\28' .. h.done .. '\28' .. entry
    end
  end
end
return result
