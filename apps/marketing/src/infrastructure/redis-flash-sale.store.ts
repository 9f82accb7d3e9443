import type { Redis } from 'ioredis';
import { FlashPool, type FlashKeyPart, type PoolDecision } from '@emporia/flash';
import type { FlashSaleStore, RecordedWin } from '../application/ports';
import type { AttemptOutcome, FlashSale } from '../domain/flash-sale';

/**
 * The sale's pool in Redis (`@emporia/flash`: its keys and its decision scripts, which the
 * gateways run too): one Lua call decides an attempt atomically, and a winner's units leave the
 * pool in the same call that appends the win to the sale's win list, from which the database is
 * filled (`FlashSalesUseCase`: at once for the wins marketing decides, by the sweep for every
 * win, wherever it was decided). Loading a sale stores its token TTL with it, for the gateways
 * that answer wins themselves.
 */
/**
 * Gives a win's units back to the pool and the buyer's count, once per token whatever the
 * retries (the token joins the set of returned tokens), and says so on the restock channel
 * (`<sale id>|<buyer>`, in the same script: no return goes unannounced) so the gateways drop
 * their sold-out and limit marks at once. Pub/sub is at most once: a gateway that misses it
 * drops its marks at their bound anyway.
 * KEYS: 1 stock, 2 buyers hash, 3 returned set; ARGV: 1 token, 2 buyer, 3 quantity, 4 channel,
 * 5 sale id
 */
const GIVE_BACK = `
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return 0 end
local qty = tonumber(ARGV[3])
redis.call('INCRBY', KEYS[1], qty)
redis.call('HINCRBY', KEYS[2], ARGV[2], -qty)
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5] .. '|' .. ARGV[2]) end
return qty
`;

/** One attempt's outcome from the pool's decision (a win's expiry is the caller's to set). */
function outcomeOf(d: PoolDecision, now: Date): AttemptOutcome | { result: 'UNKNOWN' } {
  if (d.result === 'WON')
    return { result: 'WON', token: d.token, expiresAt: now, allowanceLeft: d.allowanceLeft };
  if (d.result === 'LIMIT_REACHED') return { result: d.result, allowanceLeft: d.allowanceLeft };
  return { result: d.result };
}

type Scripted = Redis & { flashGiveBack(...args: (string | number)[]): Promise<number> };

export class RedisFlashSaleStore implements FlashSaleStore {
  private readonly redis: Scripted;
  private readonly pool: FlashPool;

  /**
   * `restockChannel`: the Redis pub/sub channel on which returned units are announced (the
   * gateways' FLASH_RESTOCK_CHANNEL); empty, nothing is announced. `tokenTtlMs`: how long a
   * win's token is good for (FLASH_TOKEN_TTL_SECONDS), stored with each sale loaded.
   */
  constructor(
    redis: Redis,
    prefix: string,
    private readonly restockChannel = '',
    private readonly tokenTtlMs = 300_000,
  ) {
    this.pool = new FlashPool(redis, prefix);
    redis.defineCommand('flashGiveBack', { numberOfKeys: 3, lua: GIVE_BACK });
    this.redis = redis as Scripted;
  }

  private k(saleId: string, part: FlashKeyPart): string {
    return this.pool.key(saleId, part);
  }

  /**
   * Loads a sale with `remaining` units in its pool (`FlashPool.load`: never refilling a pool
   * that is selling), with the token TTL the gateways answer wins with.
   */
  load(
    sale: FlashSale,
    remaining = sale.stock,
    buyers: Record<string, number> = {},
  ): Promise<void> {
    return this.pool.load(sale, { remaining, buyers, tokenTtlMs: this.tokenTtlMs });
  }

  async isLoaded(saleId: string): Promise<boolean> {
    return (await this.redis.exists(this.k(saleId, 'meta'), this.k(saleId, 'stock'))) === 2;
  }

  async attempt(
    saleId: string,
    buyer: string,
    quantity: number,
    now: Date,
  ): Promise<AttemptOutcome | { result: 'UNKNOWN' }> {
    return outcomeOf(await this.pool.attempt(saleId, buyer, quantity, now), now);
  }

  async attemptMany(
    saleId: string,
    attempts: readonly { buyer: string; quantity: number }[],
    now: Date,
  ): Promise<(AttemptOutcome | { result: 'UNKNOWN' })[]> {
    return (await this.pool.attemptMany(saleId, attempts, now)).map((d) => outcomeOf(d, now));
  }

  async giveBack(saleId: string, token: string, buyer: string, quantity: number): Promise<number> {
    return this.redis.flashGiveBack(
      this.k(saleId, 'stock'),
      this.k(saleId, 'buyers'),
      this.k(saleId, 'returned'),
      token,
      buyer,
      quantity,
      this.restockChannel,
      saleId,
    );
  }

  /** The oldest wins not yet acknowledged (at most `max`). */
  pendingWins(saleId: string, max: number): Promise<RecordedWin[]> {
    return this.pool.pendingWins(saleId, max);
  }

  /**
   * Drops the wins read (the list's first ones, now in the database), unless another reader
   * dropped them already. New wins are appended behind.
   */
  async ackWins(saleId: string, wins: readonly RecordedWin[]): Promise<void> {
    await this.pool.ackWins(saleId, wins);
  }

  reading(
    saleId: string,
  ): Promise<{ remaining: number; pending: { token: string; quantity: number }[] }> {
    return this.pool.reading(saleId);
  }

  async remaining(saleId: string): Promise<number> {
    return Number((await this.redis.get(this.k(saleId, 'stock'))) ?? 0);
  }

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
