-- The emitter's outbox (docs/architecture.md, "The emitter"): per agent, the status changes
-- claimed and not yet delivered, in claim order, and who delivers them.
--   outbox hash:  agentId → owner \29 head \29 tail \29 done (pushes of the head entry
--                 delivered) \29 want (another emitter that claimed a change meanwhile: the
--                 partition moved to it, and the lease goes to it after the current entry)
--   entries hash: agentId \29 seq → order key \28 append time (ms) \28 status before \28 status after
--   leases zset:  agentId → the lease's end, Redis time in ms (0: free, to be taken at once)
-- An agent is in the leases set exactly while it has entries. Its header stays when it has
-- none (owner '', head past tail), so that its sequence numbers only grow, and goes with
-- its claim record.

local function redisNowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The agent's header, or nil when it has nothing to deliver.
local function readHeader(outbox, agentId)
  local value = redis.call('HGET', outbox, agentId)
  if not value then return nil end
  local owner, head, tail, done, want =
    string.match(value, '^([^\29]*)\29(%d+)\29(%d+)\29(%d+)\29([^\29]*)$')
  return {
    owner = owner, head = tonumber(head), tail = tonumber(tail), done = tonumber(done), want = want
  }
end

local function writeHeader(outbox, agentId, h)
  redis.call('HSET', outbox, agentId,
    h.owner .. '\29' .. h.head .. '\29' .. h.tail .. '\29' .. h.done .. '\29' .. h.want)
end

local function entryField(agentId, seq)
  return agentId .. '\29' .. seq
end
