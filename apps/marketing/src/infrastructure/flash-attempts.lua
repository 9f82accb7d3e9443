-- Several attempts on one sale, decided in order, each exactly as flash-attempt.lua decides it
-- alone (window, the buyer's count against the limit, stock): one script call for a batch.
-- KEYS: 1 meta hash, 2 stock, 3 buyers hash, 4 win list
-- ARGV: 1 now (ms), then per attempt: buyer, quantity, token
-- Returns one result per attempt, in order, as flash-attempt.lua returns it: {result} or, for WON
-- and LIMIT_REACHED, {result, the units the buyer may still win after it}; results are WON,
-- LIMIT_REACHED, SOLD_OUT, NOT_STARTED, ENDED or UNKNOWN (the sale is not loaded).
local n = (#ARGV - 1) / 3
local out = {}
local starts = tonumber(redis.call('HGET', KEYS[1], 'starts'))
if not starts then
  for i = 1, n do out[i] = {'UNKNOWN'} end
  return out
end
local ends = tonumber(redis.call('HGET', KEYS[1], 'ends'))
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit'))
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
  local at = 2 + (i - 1) * 3
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
    out[i] = {'WON', limit - bought - qty}
  end
end
if sold > 0 then
  redis.call('DECRBY', KEYS[2], sold)
  redis.call('RPUSH', KEYS[4], unpack(wins))
end
return out
