-- Several attempts on one sale, decided in order, each exactly as flash-attempt.lua decides it
-- alone (window, the buyer's count against the limit, stock): one script call for a batch.
-- KEYS: 1 meta hash, 2 stock, 3 buyers hash, 4 win list
-- ARGV: 1 now (ms), 2 '1' when the caller answers wins itself and needs the sale's token TTL (a
-- sale loaded without one is UNKNOWN to it, nothing decided), else '0'; then per attempt: buyer,
-- quantity, token
-- Returns one result per attempt, in order: {result}; for LIMIT_REACHED {result, the units the
-- buyer may still win}; for WON {result, the units the buyer may still win after it, the token's
-- TTL in ms (0: not loaded with one)}. Results are WON, LIMIT_REACHED, SOLD_OUT, NOT_STARTED,
-- ENDED or UNKNOWN (the sale is not loaded).
local n = (#ARGV - 2) / 3
local out = {}
local meta = redis.call('HMGET', KEYS[1], 'starts', 'ends', 'limit', 'ttl')
local starts = tonumber(meta[1])
local ttl = tonumber(meta[4] or '0')
if not starts or (ARGV[2] == '1' and ttl == 0) then
  for i = 1, n do out[i] = {'UNKNOWN'} end
  return out
end
local ends = tonumber(meta[2])
local limit = tonumber(meta[3])
local now = tonumber(ARGV[1])
if now < starts or now >= ends then
  local r = now < starts and 'NOT_STARTED' or 'ENDED'
  for i = 1, n do out[i] = {r} end
  return out
end
local stock = tonumber(redis.call('GET', KEYS[2]) or '0')
local sold = 0
local wins = {}
for i = 1, n do
  local at = 3 + (i - 1) * 3
  local buyer = ARGV[at]
  local qty = tonumber(ARGV[at + 1])
  local bought = tonumber(redis.call('HGET', KEYS[3], buyer) or '0')
  if bought + qty > limit then
    out[i] = {'LIMIT_REACHED', limit - bought}
  elseif stock - sold < qty then
    out[i] = {'SOLD_OUT'}
  else
    sold = sold + qty
    redis.call('HINCRBY', KEYS[3], buyer, qty)
    wins[#wins + 1] = ARGV[at + 2] .. '|' .. buyer .. '|' .. ARGV[at + 1] .. '|' .. ARGV[1]
    out[i] = {'WON', limit - bought - qty, ttl}
  end
end
if sold > 0 then
  redis.call('DECRBY', KEYS[2], sold)
  redis.call('RPUSH', KEYS[4], unpack(wins))
end
return out
