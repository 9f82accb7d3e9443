import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pooledRandom } from '@emporia/platform';

/**
 * A flash sale's pool in Redis: the keys marketing loads a sale into and the scripts that decide
 * attempts on it. Marketing owns the sale (it loads it, gives lapsed units back, records the wins
 * in its database); the decision is this contract, run by marketing and by the gateways alike
 * (ARCHITECTURE "Flash sales"): one Lua call decides an attempt atomically, and a winner's units
 * leave the pool in the same call that appends the win to the sale's win list, from which
 * marketing records it. Redis runs scripts one at a time, so no interleaving can oversell or
 * exceed a limit, whoever calls.
 *
 * The single-attempt script is `flash-attempt.lua` (its own file, so `redis-benchmark` can run
 * the very same script: bench/flash-sale.bench.ts); `flash-attempts.lua` decides a batch.
 */
export const FLASH_ATTEMPT_LUA_FILE = join(__dirname, 'flash-attempt.lua');
const ATTEMPT = readFileSync(FLASH_ATTEMPT_LUA_FILE, 'utf8');
const ATTEMPTS = readFileSync(join(__dirname, 'flash-attempts.lua'), 'utf8');

/**
 * Drops the first ARGV[1] wins of the list, only if the last of them is still where it was read
 * (its entry starts with its token, ARGV[2]: tokens are unique, and the list only grows at its
 * tail and shrinks at its head). A second reader that read the same wins finds them gone and
 * drops nothing, where an unconditional trim would drop wins nobody recorded. KEYS: 1 win list.
 */
const ACK_WINS = `
local e = redis.call('LINDEX', KEYS[1], tonumber(ARGV[1]) - 1)
if e and string.sub(e, 1, #ARGV[2] + 1) == ARGV[2] .. '|' then
  redis.call('LTRIM', KEYS[1], ARGV[1], -1)
  return 1
end
return 0
`;

/** What the pool decides of an attempt. */
export type PoolResult = 'WON' | 'LIMIT_REACHED' | 'SOLD_OUT' | 'NOT_STARTED' | 'ENDED' | 'UNKNOWN';

export interface PoolDecision {
  result: PoolResult;
  /** A win's purchase token (`<sale id>.<random>`); '' otherwise. */
  token: string;
  /** WON and LIMIT_REACHED: the units the buyer may still win (after this win); 0 otherwise. */
  allowanceLeft: number;
  /** WON, decided by `attemptMany`: how long the token is good for (the sale's, as loaded). */
  tokenTtlMs: number;
}

/** A win as the sale's win list holds it until marketing has recorded it. */
export interface PendingWin {
  token: string;
  buyer: string;
  quantity: number;
  wonAt: Date;
}

export type FlashKeyPart = 'meta' | 'stock' | 'buyers' | 'wins' | 'returned';

/** A sale's key: one hash tag per sale, so all its keys live in one Redis Cluster slot. */
export const flashKey = (prefix: string, saleId: string, part: FlashKeyPart): string =>
  `${prefix}fs:{${saleId}}:${part}`;

/** A new purchase token of the sale: `<sale id>.<24 base64url characters>` (18 CSPRNG bytes). */
export const newFlashToken = (saleId: string): string =>
  `${saleId}.${pooledRandom(18, 'base64url')}`;

/** A purchase token names its sale: `<sale id>.<random>`; null for anything else. */
export const saleOfToken = (token: string): string | null => {
  const m = /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{24}$/i.exec(token ?? '');
  return m ? m[1].toLowerCase() : null;
};

type Raw = [string] | [string, number] | [string, number, number];

type Scripted = Redis & {
  flashAttempt(...args: (string | number)[]): Promise<Raw>;
  flashAttempts(...args: (string | number)[]): Promise<Raw[]>;
  flashAckWins(...args: (string | number)[]): Promise<number>;
};

/** The keys the decision scripts take, in their KEYS order. */
const DECISION_KEYS: readonly FlashKeyPart[] = ['meta', 'stock', 'buyers', 'wins'];

/** A win list entry, as the scripts append it: `<token>|<buyer>|<quantity>|<won at, ms>`. */
const parseWin = (entry: string): PendingWin => {
  const [token, buyer, quantity, at] = entry.split('|');
  return { token, buyer, quantity: Number(quantity), wonAt: new Date(Number(at)) };
};

const decision = ([result, left, ttl]: Raw, token: string): PoolDecision => ({
  result: result as PoolResult,
  token: result === 'WON' ? token : '',
  allowanceLeft: result === 'WON' || result === 'LIMIT_REACHED' ? Number(left) : 0,
  tokenTtlMs: result === 'WON' ? Number(ttl ?? 0) : 0,
});

/** The decision scripts and the win list of the sales under one key prefix (marketing's). */
export class FlashPool {
  private readonly redis: Scripted;

  constructor(
    redis: Redis,
    readonly prefix: string,
  ) {
    redis.defineCommand('flashAttempt', { numberOfKeys: 4, lua: ATTEMPT });
    redis.defineCommand('flashAttempts', { numberOfKeys: 4, lua: ATTEMPTS });
    redis.defineCommand('flashAckWins', { numberOfKeys: 1, lua: ACK_WINS });
    this.redis = redis as Scripted;
  }

  key(saleId: string, part: FlashKeyPart): string {
    return flashKey(this.prefix, saleId, part);
  }

  private decisionKeys(saleId: string): string[] {
    return DECISION_KEYS.map((p) => this.key(saleId, p));
  }

  /**
   * Loads a sale with `remaining` units in its pool, what each buyer already holds (so a reload
   * keeps the per-user limit) and the token TTL its wins are answered with. Loading again never
   * refills a pool that is selling (the stock is set only if absent), so it is safe to repeat.
   * The keys outlive the sale by a week.
   */
  async load(
    sale: { id: string; startsAt: Date; endsAt: Date; perUserLimit: number },
    opts: { remaining: number; buyers?: Record<string, number>; tokenTtlMs: number },
  ): Promise<void> {
    const ttl = Math.max(60, Math.ceil((sale.endsAt.getTime() - Date.now()) / 1000) + 7 * 86_400);
    const m = this.redis.multi();
    for (const [buyer, units] of Object.entries(opts.buyers ?? {}))
      m.hsetnx(this.key(sale.id, 'buyers'), buyer, units);
    await m
      .hset(this.key(sale.id, 'meta'), {
        starts: sale.startsAt.getTime(),
        ends: sale.endsAt.getTime(),
        limit: sale.perUserLimit,
        ttl: opts.tokenTtlMs,
      })
      .set(this.key(sale.id, 'stock'), opts.remaining, 'EX', ttl, 'NX')
      .expire(this.key(sale.id, 'meta'), ttl)
      .exec();
  }

  /** One attempt (`flash-attempt.lua`); a win's `tokenTtlMs` is 0 (the caller knows its TTL). */
  async attempt(saleId: string, buyer: string, quantity: number, now: Date): Promise<PoolDecision> {
    const token = newFlashToken(saleId);
    const raw = await this.redis.flashAttempt(
      ...this.decisionKeys(saleId),
      buyer,
      quantity,
      now.getTime(),
      token,
    );
    return decision(raw, token);
  }

  /**
   * Several attempts on one sale, decided in order in one call, each as `attempt` decides it.
   * `answering`: the caller answers wins itself (a gateway) and needs each win's token TTL, which
   * marketing stores with the sale when it loads it; a sale loaded without one is UNKNOWN to it,
   * with nothing decided.
   */
  async attemptMany(
    saleId: string,
    attempts: readonly { buyer: string; quantity: number }[],
    now: Date,
    answering = false,
  ): Promise<PoolDecision[]> {
    const tokens = attempts.map(() => newFlashToken(saleId));
    const args: (string | number)[] = [
      ...this.decisionKeys(saleId),
      now.getTime(),
      answering ? '1' : '0',
    ];
    attempts.forEach((a, i) => args.push(a.buyer, a.quantity, tokens[i]));
    const raw = await this.redis.flashAttempts(...args);
    return raw.map((r, i) => decision(r, tokens[i]));
  }

  /**
   * The units left in the pool and the wins in the sale's win list, read at one instant (one
   * MULTI): a win decided before it is out of the pool and, until recorded and dropped, in the
   * list.
   */
  async reading(
    saleId: string,
  ): Promise<{ remaining: number; pending: { token: string; quantity: number }[] }> {
    const [[, stock], [, wins]] = (await this.redis
      .multi()
      .get(this.key(saleId, 'stock'))
      .lrange(this.key(saleId, 'wins'), 0, -1)
      .exec()) as [[unknown, string | null], [unknown, string[]]];
    return { remaining: Number(stock ?? 0), pending: wins.map(parseWin) };
  }

  /** The oldest wins of the sale not yet acknowledged (at most `max`). */
  async pendingWins(saleId: string, max: number): Promise<PendingWin[]> {
    return (await this.redis.lrange(this.key(saleId, 'wins'), 0, max - 1)).map(parseWin);
  }

  /**
   * Drops `wins` (the list's first entries, as `pendingWins` read them, now recorded) from the
   * list, unless another reader dropped them first: true if this call did.
   */
  async ackWins(saleId: string, wins: readonly { token: string }[]): Promise<boolean> {
    if (wins.length === 0) return false;
    const last = wins[wins.length - 1].token;
    return (await this.redis.flashAckWins(this.key(saleId, 'wins'), wins.length, last)) === 1;
  }
}
