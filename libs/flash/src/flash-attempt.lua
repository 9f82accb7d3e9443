-- The flash-sale decision, atomic in Redis: window, the buyer's count against the limit, stock.
-- KEYS: 1 meta hash, 2 stock, 3 buyers hash, 4 win list
-- ARGV: 1 buyer, 2 quantity, 3 now (ms), 4 token
-- Returns the result, and for WON and LIMIT_REACHED the units the buyer may still win after it:
-- {result} or {result, allowance left}.
local starts = tonumber(redis.call('HGET', KEYS[1], 'starts'))
if not starts then return {'UNKNOWN'} end
local ends = tonumber(redis.call('HGET', KEYS[1], 'ends'))
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit'))
local now = tonumber(ARGV[3])
if now < starts then return {'NOT_STARTED'} end
if now >= ends then return {'ENDED'} end
local qty = tonumber(ARGV[2])
local bought = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if bought + qty > limit then return {'LIMIT_REACHED', limit - bought} end
local stock = tonumber(redis.call('GET', KEYS[2]) or '0')
if stock < qty then return {'SOLD_OUT'} end
redis.call('DECRBY', KEYS[2], qty)
redis.call('HINCRBY', KEYS[3], ARGV[1], qty)
redis.call('RPUSH', KEYS[4], ARGV[4] .. '|' .. ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[3])
return {'WON', limit - bought - qty}
