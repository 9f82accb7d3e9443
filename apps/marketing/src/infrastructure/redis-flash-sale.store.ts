import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pooledRandom } from '@emporia/platform';
import type { FlashSaleStore, RecordedWin } from '../application/ports';
import type { AttemptOutcome, FlashSale } from '../domain/flash-sale';

/**
 * One Lua script decides an attempt atomically: the window, the buyer's count against the
 * limit, the stock. A winner's units leave the pool and the win is appended to the sale's win
 * list, from which the database is filled (at once by the caller, and by the reconciler for any
 * win whose database write was lost). Redis runs scripts one at a time, so no interleaving can
 * oversell or exceed a limit.
 *
 * The script is `flash-attempt.lua` (its own file, so `redis-benchmark` can run the very same
 * script: bench/flash-sale.bench.ts).
 */
export const FLASH_ATTEMPT_LUA_FILE = join(__dirname, 'flash-attempt.lua');
const ATTEMPT = readFileSync(FLASH_ATTEMPT_LUA_FILE, 'utf8');
/** Several attempts on one sale in one call, each decided as `flash-attempt.lua` decides it. */
const ATTEMPTS = readFileSync(join(__dirname, 'flash-attempts.lua'), 'utf8');

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

/** 18 random bytes per attempt's token (from the shared pool of CSPRNG bytes). */
const tokenSuffix = () => pooledRandom(18, 'base64url');

/** A script's answer to one attempt: `[result]`, or `[result, allowance left]` (WON, LIMIT_REACHED). */
type Scripted = Redis & {
  flashAttempt(...args: (string | number)[]): Promise<ScriptResult>;
  flashAttempts(...args: (string | number)[]): Promise<ScriptResult[]>;
  flashGiveBack(...args: (string | number)[]): Promise<number>;
};

type ScriptResult = [string] | [string, number];

/** One attempt's outcome from the script's answer (`token`: the one it was decided with). */
function outcomeOf(
  [result, left]: ScriptResult,
  token: string,
  now: Date,
): AttemptOutcome | { result: 'UNKNOWN' } {
  if (result === 'WON') return { result, token, expiresAt: now, allowanceLeft: Number(left) };
  if (result === 'LIMIT_REACHED') return { result, allowanceLeft: Number(left) };
  return { result: result as 'SOLD_OUT' | 'NOT_STARTED' | 'ENDED' | 'UNKNOWN' };
}

/** A purchase token names its sale: `<sale id>.<random>`. */
export const saleOfToken = (token: string): string | null => {
  const m = /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{24}$/i.exec(token ?? '');
  return m ? m[1].toLowerCase() : null;
};

export class RedisFlashSaleStore implements FlashSaleStore {
  private readonly redis: Scripted;

  /**
   * `restockChannel`: the Redis pub/sub channel on which returned units are announced (the
   * gateways' FLASH_RESTOCK_CHANNEL); empty, nothing is announced.
   */
  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly restockChannel = '',
  ) {
    redis.defineCommand('flashAttempt', { numberOfKeys: 4, lua: ATTEMPT });
    redis.defineCommand('flashAttempts', { numberOfKeys: 4, lua: ATTEMPTS });
    redis.defineCommand('flashGiveBack', { numberOfKeys: 3, lua: GIVE_BACK });
    this.redis = redis as Scripted;
  }

  private k(saleId: string, part: string): string {
    // one hash tag per sale: all its keys live in one Redis Cluster slot
    return `${this.prefix}fs:{${saleId}}:${part}`;
  }

  /**
   * Loads a sale with `remaining` units in its pool. Loading again never refills a pool that is
   * selling (the stock is set only if absent), so it is safe to repeat.
   */
  async load(
    sale: FlashSale,
    remaining = sale.stock,
    buyers: Record<string, number> = {},
  ): Promise<void> {
    const ttl = Math.max(60, Math.ceil((sale.endsAt.getTime() - Date.now()) / 1000) + 7 * 86_400);
    const m = this.redis.multi();
    // what each buyer already has, so a reload keeps the per-user limit
    for (const [buyer, units] of Object.entries(buyers))
      m.hsetnx(this.k(sale.id, 'buyers'), buyer, units);
    await m
      .hset(this.k(sale.id, 'meta'), {
        starts: sale.startsAt.getTime(),
        ends: sale.endsAt.getTime(),
        limit: sale.perUserLimit,
      })
      .set(this.k(sale.id, 'stock'), remaining, 'EX', ttl, 'NX')
      .expire(this.k(sale.id, 'meta'), ttl)
      .exec();
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
    const token = `${saleId}.${tokenSuffix()}`;
    const r = await this.redis.flashAttempt(
      this.k(saleId, 'meta'),
      this.k(saleId, 'stock'),
      this.k(saleId, 'buyers'),
      this.k(saleId, 'wins'),
      buyer,
      quantity,
      now.getTime(),
      token,
    );
    return outcomeOf(r, token, now);
  }

  async attemptMany(
    saleId: string,
    attempts: readonly { buyer: string; quantity: number }[],
    now: Date,
  ): Promise<(AttemptOutcome | { result: 'UNKNOWN' })[]> {
    const tokens = attempts.map(() => `${saleId}.${tokenSuffix()}`);
    const args: (string | number)[] = [
      this.k(saleId, 'meta'),
      this.k(saleId, 'stock'),
      this.k(saleId, 'buyers'),
      this.k(saleId, 'wins'),
      now.getTime(),
    ];
    attempts.forEach((a, i) => args.push(a.buyer, a.quantity, tokens[i]));
    const results = await this.redis.flashAttempts(...args);
    return results.map((r, i) => outcomeOf(r, tokens[i], now));
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
  async pendingWins(saleId: string, max: number): Promise<RecordedWin[]> {
    const raw = await this.redis.lrange(this.k(saleId, 'wins'), 0, max - 1);
    return raw.map((r) => {
      const [token, buyer, qty, at] = r.split('|');
      return { token, buyer, quantity: Number(qty), wonAt: new Date(Number(at)) };
    });
  }

  /** Drops the first `count` wins (they are in the database). New wins are appended behind. */
  async ackWins(saleId: string, count: number): Promise<void> {
    if (count > 0) await this.redis.ltrim(this.k(saleId, 'wins'), count, -1);
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
