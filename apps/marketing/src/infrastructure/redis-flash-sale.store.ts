import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AttemptOutcome, FlashSale } from '../domain/flash-sale';

/**
 * One Lua script decides an attempt atomically: the window, the buyer's count against the
 * limit, the stock; a winner's units leave the pool and a purchase token is stored with a TTL.
 * Redis runs scripts one at a time, so no interleaving can oversell or exceed a limit.
 *
 * KEYS: 1 meta hash, 2 stock, 3 buyers hash, 4 token key
 * ARGV: 1 buyer, 2 quantity, 3 now (ms), 4 token TTL (s), 5 token value
 */
const ATTEMPT = `
local starts = tonumber(redis.call('HGET', KEYS[1], 'starts'))
local ends = tonumber(redis.call('HGET', KEYS[1], 'ends'))
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit'))
if not starts then return 'UNKNOWN' end
local now = tonumber(ARGV[3])
if now < starts then return 'NOT_STARTED' end
if now >= ends then return 'ENDED' end
local qty = tonumber(ARGV[2])
local bought = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if bought + qty > limit then return 'LIMIT_REACHED' end
local stock = tonumber(redis.call('GET', KEYS[2]) or '0')
if stock < qty then return 'SOLD_OUT' end
redis.call('DECRBY', KEYS[2], qty)
redis.call('HINCRBY', KEYS[3], ARGV[1], qty)
redis.call('SET', KEYS[4], ARGV[5], 'EX', tonumber(ARGV[4]))
return 'WON'
`;

/** Gives a winner's units back (token unused: order not placed or not paid in time). */
const GIVE_BACK = `
local v = redis.call('GET', KEYS[3])
if not v then return 0 end
redis.call('DEL', KEYS[3])
local sep = string.find(v, '|')
local buyer = string.sub(v, 1, sep - 1)
local qty = tonumber(string.sub(v, sep + 1))
redis.call('INCRBY', KEYS[1], qty)
redis.call('HINCRBY', KEYS[2], buyer, -qty)
return qty
`;

type Scripted = Redis & {
  flashAttempt(...args: (string | number)[]): Promise<string>;
  flashGiveBack(...args: (string | number)[]): Promise<number>;
};

export class RedisFlashSaleStore {
  private readonly redis: Scripted;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly tokenTtlSeconds = 300,
  ) {
    redis.defineCommand('flashAttempt', { numberOfKeys: 4, lua: ATTEMPT });
    redis.defineCommand('flashGiveBack', { numberOfKeys: 3, lua: GIVE_BACK });
    this.redis = redis as Scripted;
  }

  private k(saleId: string, part: string): string {
    // one hash tag per sale: all its keys live in one Redis Cluster slot
    return `${this.prefix}fs:{${saleId}}:${part}`;
  }

  /** Loads a sale's pool; loading again does not refill a pool already selling. */
  async load(sale: FlashSale): Promise<void> {
    await this.redis
      .multi()
      .hset(this.k(sale.id, 'meta'), {
        starts: sale.startsAt.getTime(),
        ends: sale.endsAt.getTime(),
        limit: sale.perUserLimit,
        sku: sale.skuId,
      })
      .set(this.k(sale.id, 'stock'), sale.stock, 'NX')
      .exec();
  }

  async attempt(
    saleId: string,
    buyer: string,
    quantity: number,
    now: Date,
  ): Promise<AttemptOutcome> {
    const token = randomBytes(18).toString('base64url');
    const r = await this.redis.flashAttempt(
      this.k(saleId, 'meta'),
      this.k(saleId, 'stock'),
      this.k(saleId, 'buyers'),
      this.k(saleId, `token:${token}`),
      buyer,
      quantity,
      now.getTime(),
      this.tokenTtlSeconds,
      `${buyer}|${quantity}`,
    );
    if (r === 'WON')
      return {
        result: 'WON',
        token,
        expiresAt: new Date(now.getTime() + this.tokenTtlSeconds * 1000),
      };
    if (r === 'UNKNOWN') return { result: 'ENDED' };
    return { result: r as 'SOLD_OUT' | 'LIMIT_REACHED' | 'NOT_STARTED' | 'ENDED' };
  }

  /** Order honours a token once: it is consumed; null when unknown, used or expired. */
  async redeem(saleId: string, token: string): Promise<{ buyer: string; quantity: number } | null> {
    const v = await this.redis.getdel(this.k(saleId, `token:${token}`));
    if (!v) return null;
    const [buyer, qty] = v.split('|');
    return { buyer, quantity: Number(qty) };
  }

  /** An unused winner's token: its units go back to the pool and the buyer's count. */
  async giveBack(saleId: string, token: string): Promise<number> {
    return this.redis.flashGiveBack(
      this.k(saleId, 'stock'),
      this.k(saleId, 'buyers'),
      this.k(saleId, `token:${token}`),
    );
  }

  /** Pool and per-buyer counts, for reconciliation with the database. */
  async state(saleId: string): Promise<{ stock: number; buyers: Record<string, number> }> {
    const [stock, buyers] = await Promise.all([
      this.redis.get(this.k(saleId, 'stock')),
      this.redis.hgetall(this.k(saleId, 'buyers')),
    ]);
    return {
      stock: Number(stock ?? 0),
      buyers: Object.fromEntries(Object.entries(buyers).map(([b, n]) => [b, Number(n)])),
    };
  }
}
