/**
 * The Lua scripts behind RedisPresenceStore. Each state change is one script,
 * so Redis runs it whole with nothing in between: that, and not a lock, is why
 * two concurrent claims can never both find the expert available.
 *
 * Time comes from the caller (ARGV `now`, epoch ms) rather than from Redis
 * TIME, so that the in-process store and the Redis one obey the same clock
 * in the contract tests; server nodes are expected to run NTP, and a skew of
 * a few ms only moves a deadline by as much.
 *
 * Every script starts by "settling" the records it touches: a lapsed heartbeat
 * deletes the record (offline), an unanswered ring past its end returns the
 * expert to available. Reads therefore never see a stale state, whether or not
 * a sweeper has run.
 */

/** Functions every script shares; prepended to each. */
const LIB = `
local FIELDS = {'state', 'idleSince', 'deadline', 'caseId', 'requestId', 'offerId', 'ringUntil'}

local function cellsOf(hkey)
  local cells = {}
  local idx = redis.call('HGET', hkey, 'idx')
  if idx then
    for cell in string.gmatch(idx, '[^\\n]+') do cells[#cells + 1] = cell end
  end
  return cells
end

local function index(hkey, id, idleSince)
  for _, cell in ipairs(cellsOf(hkey)) do redis.call('ZADD', cell, idleSince, id) end
end

local function unindex(hkey, id)
  for _, cell in ipairs(cellsOf(hkey)) do redis.call('ZREM', cell, id) end
end

-- The deadlines set holds the sooner of the heartbeat deadline and the ring's end.
local function schedule(hkey, dkey, id)
  local h = redis.call('HMGET', hkey, 'deadline', 'ringUntil')
  local due = tonumber(h[1])
  if h[2] and tonumber(h[2]) < due then due = tonumber(h[2]) end
  redis.call('ZADD', dkey, due, id)
end

local function toAvailable(hkey, dkey, id, idleSince)
  redis.call('HDEL', hkey, 'caseId', 'requestId', 'offerId', 'ringUntil')
  redis.call('HSET', hkey, 'state', 'available', 'idleSince', idleSince)
  index(hkey, id, idleSince)
  schedule(hkey, dkey, id)
end

local function drop(hkey, dkey, id)
  unindex(hkey, id)
  redis.call('DEL', hkey)
  redis.call('ZREM', dkey, id)
end

local function settle(hkey, dkey, id, now)
  local h = redis.call('HMGET', hkey, 'state', 'deadline', 'ringUntil', 'idleSince')
  if not h[1] then
    redis.call('ZREM', dkey, id)
    return 'offline'
  end
  if tonumber(h[2]) <= now then
    drop(hkey, dkey, id)
    return 'offline'
  end
  if h[1] == 'ringing' and tonumber(h[3]) <= now then
    toAvailable(hkey, dkey, id, h[4])
    return 'available'
  end
  return h[1]
end

-- {ok, state, idleSince, deadline, caseId, requestId, offerId, ringUntil}; '' for what is absent
-- (a nil would cut a Lua array short).
local function reply(ok, hkey, state)
  local h = redis.call('HMGET', hkey, unpack(FIELDS))
  local out = {ok}
  for i = 1, #FIELDS do out[i + 1] = h[i] or '' end
  if state then out[2] = state end
  return out
end
`;

/**
 * heartbeat and setAvailability. KEYS: expert hash, deadlines.
 * ARGV: id, now, deadline, state (available|away), choose (1: set it; 0: only
 * use it to rebuild a lost record), cells (newline-separated).
 */
const TOUCH = `
local hkey, dkey = KEYS[1], KEYS[2]
local id, nowArg, deadline, want, choose, cells = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1', ARGV[6]
local state = settle(hkey, dkey, id, tonumber(nowArg))
if state == 'offline' then
  redis.call('HSET', hkey, 'state', want, 'idleSince', nowArg, 'deadline', deadline, 'idx', cells)
  if want == 'available' then index(hkey, id, nowArg) end
  schedule(hkey, dkey, id)
  return reply(1, hkey)
end
redis.call('HSET', hkey, 'deadline', deadline)
if redis.call('HGET', hkey, 'idx') ~= cells then
  unindex(hkey, id)
  redis.call('HSET', hkey, 'idx', cells)
  if state == 'available' then index(hkey, id, redis.call('HGET', hkey, 'idleSince')) end
end
schedule(hkey, dkey, id)
if not choose or state == want then return reply(1, hkey) end
if state == 'ringing' or state == 'in_case' then return reply(0, hkey) end
if want == 'away' then
  unindex(hkey, id)
  redis.call('HSET', hkey, 'state', 'away')
else
  toAvailable(hkey, dkey, id, nowArg)
end
return reply(1, hkey)
`;

/** KEYS: expert hash, deadlines. ARGV: id, now. Replies with the presence before. */
const GO_OFFLINE = `
local state = settle(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))
local before = reply(1, KEYS[1], state)
drop(KEYS[1], KEYS[2], ARGV[1])
return before
`;

/** KEYS: expert hash, deadlines. ARGV: id, now. */
const GET = `
local state = settle(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))
return reply(1, KEYS[1], state)
`;

/** KEYS: expert hash, deadlines. ARGV: id, now, caseId, requestId, offerId, ringUntil. */
const CLAIM = `
local hkey, dkey, id = KEYS[1], KEYS[2], ARGV[1]
local state = settle(hkey, dkey, id, tonumber(ARGV[2]))
if state ~= 'available' then return reply(0, hkey, state) end
unindex(hkey, id)
redis.call('HSET', hkey, 'state', 'ringing', 'caseId', ARGV[3], 'requestId', ARGV[4], 'offerId', ARGV[5],
  'ringUntil', ARGV[6])
schedule(hkey, dkey, id)
return reply(1, hkey)
`;

/** KEYS: expert hash, deadlines. ARGV: id, now, offerId, how (accept|decline|cancel|timeout). */
const END_RING = `
local hkey, dkey, id = KEYS[1], KEYS[2], ARGV[1]
local state = settle(hkey, dkey, id, tonumber(ARGV[2]))
if state ~= 'ringing' or redis.call('HGET', hkey, 'offerId') ~= ARGV[3] then return reply(0, hkey, state) end
if ARGV[4] == 'accept' then
  redis.call('HDEL', hkey, 'ringUntil')
  redis.call('HSET', hkey, 'state', 'in_case')
  schedule(hkey, dkey, id)
else
  toAvailable(hkey, dkey, id, redis.call('HGET', hkey, 'idleSince'))
end
return reply(1, hkey)
`;

/** KEYS: expert hash, deadlines. ARGV: id, now, caseId. */
const RELEASE = `
local hkey, dkey, id = KEYS[1], KEYS[2], ARGV[1]
local state = settle(hkey, dkey, id, tonumber(ARGV[2]))
if state ~= 'in_case' or redis.call('HGET', hkey, 'caseId') ~= ARGV[3] then return reply(0, hkey, state) end
toAvailable(hkey, dkey, id, ARGV[2])
return reply(1, hkey)
`;

/** KEYS: deadlines. ARGV: expert key prefix, now, at most how many. Replies with how many it settled. */
const SWEEP = `
local dkey, prefix, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
local due = redis.call('ZRANGEBYSCORE', dkey, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do
  local hkey = prefix .. id
  -- A record that settles to a live state is rescheduled, so a stale score cannot come back every sweep.
  if settle(hkey, dkey, id, now) ~= 'offline' then schedule(hkey, dkey, id) end
end
return #due
`;

/**
 * KEYS: deadlines, then the grid, township and district cells of the request.
 * ARGV: expert key prefix, now, limit, then the excluded expert ids.
 * Replies with triples: id, nearness (1 grid, 2 township, 3 district), idleSince.
 */
const FIND = `
local dkey, prefix, now, limit = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local PAGE = 64
local skip = {}
for i = 4, #ARGV do skip[ARGV[i]] = true end
-- Rings that ended unanswered are in no cell until settled: settle what is overdue first.
for _, id in ipairs(redis.call('ZRANGEBYSCORE', dkey, '-inf', now, 'LIMIT', 0, 100)) do
  if settle(prefix .. id, dkey, id, now) ~= 'offline' then schedule(prefix .. id, dkey, id) end
end
local out, found = {}, 0
for tier = 2, #KEYS do
  local start = 0
  while found < limit do
    local page = redis.call('ZRANGE', KEYS[tier], start, start + PAGE - 1, 'WITHSCORES')
    if #page == 0 then break end
    local removed = 0
    for i = 1, #page, 2 do
      local id = page[i]
      if not skip[id] then
        skip[id] = true
        if settle(prefix .. id, dkey, id, now) == 'available' then
          out[#out + 1] = id
          out[#out + 1] = tostring(tier - 1)
          out[#out + 1] = page[i + 1]
          found = found + 1
          if found >= limit then break end
        else
          -- Settling took it out of every cell; ZREM covers a cell that should not have held it.
          redis.call('ZREM', KEYS[tier], id)
          removed = removed + 1
        end
      end
    end
    -- Members removed from this page shift the ones after it down.
    start = start + PAGE - removed
  end
end
return out
`;

export const LUA = {
  touch: LIB + TOUCH,
  goOffline: LIB + GO_OFFLINE,
  get: LIB + GET,
  claim: LIB + CLAIM,
  endRing: LIB + END_RING,
  release: LIB + RELEASE,
  sweep: LIB + SWEEP,
  find: LIB + FIND,
} as const;

export type ScriptName = keyof typeof LUA;
