import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Money } from '@emporia/money';
import { testEnv, uniqueSuffix } from '@emporia/testing';
import type { FlashSale } from '../src/domain/flash-sale';
import { RedisFlashSaleStore } from '../src/infrastructure/redis-flash-sale.store';

jest.setTimeout(60_000);

/** The flash-sale decision on real Redis, under a crowd. */
describe('flash sale in Redis (one Lua script per attempt)', () => {
  const prefix = `it:${uniqueSuffix()}:`;
  let redis: Redis;
  let store: RedisFlashSaleStore;
  const sale = (over: Partial<FlashSale> = {}): FlashSale => ({
    id: randomUUID(),
    skuId: 'sku-1',
    price: Money.of(100, 'CNY'),
    stock: 100,
    perUserLimit: 1,
    startsAt: new Date(Date.now() - 60_000),
    endsAt: new Date(Date.now() + 60_000),
    ...over,
  });

  beforeAll(() => {
    // several connections, so attempts really race
    redis = new Redis(testEnv.redisUrl());
    store = new RedisFlashSaleStore(redis, prefix);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('2,000 concurrent buyers on 100 units: exactly 100 win, nobody over the limit, stock never negative', async () => {
    const s = sale();
    await store.load(s);
    const clients = Array.from(
      { length: 8 },
      () => new RedisFlashSaleStore(new Redis(testEnv.redisUrl()), prefix),
    );
    try {
      // 1,500 distinct buyers, 500 of whom try twice
      const buyers = Array.from({ length: 2000 }, (_, i) => `u${i % 1500}`);
      const now = new Date();
      const outcomes = await Promise.all(
        buyers.map((b, i) => clients[i % clients.length].attempt(s.id, b, 1, now)),
      );
      const won = outcomes.filter((o) => o.result === 'WON');
      expect(won).toHaveLength(100);
      const winners = buyers.filter((_, i) => outcomes[i].result === 'WON');
      expect(new Set(winners).size).toBe(100);
      const counts = outcomes.reduce<Record<string, number>>(
        (m, o) => ({ ...m, [o.result]: (m[o.result] ?? 0) + 1 }),
        {},
      );
      expect(counts.WON + counts.SOLD_OUT + (counts.LIMIT_REACHED ?? 0)).toBe(2000);
      const state = await store.state(s.id);
      expect(state.stock).toBe(0);
      expect(Object.values(state.buyers).every((n) => n <= 1)).toBe(true);
      expect(Object.values(state.buyers).reduce((a, b) => a + b, 0)).toBe(100);
      // every win is in the win list, once, with its token, for the database
      const wins = await store.pendingWins(s.id, 1000);
      expect(wins.map((w) => w.token).sort()).toEqual(
        won.map((w) => (w as { token: string }).token).sort(),
      );
      const read = await store.pendingWins(s.id, 60);
      await store.ackWins(s.id, read);
      expect(await store.pendingWins(s.id, 1000)).toHaveLength(40);
      // a second reader of the same 60 wins, acknowledging after the first: drops nothing
      await store.ackWins(s.id, read);
      expect(await store.pendingWins(s.id, 1000)).toHaveLength(40);
    } finally {
      for (const c of clients) (c as unknown as { redis: Redis }).redis.disconnect();
    }
  });

  it('answers clearly: not started, ended, limit, sold out; an unknown sale is UNKNOWN', async () => {
    expect((await store.attempt(randomUUID(), 'a', 1, new Date())).result).toBe('UNKNOWN');
    const early = sale({
      startsAt: new Date(Date.now() + 60_000),
      endsAt: new Date(Date.now() + 120_000),
    });
    await store.load(early);
    expect((await store.attempt(early.id, 'a', 1, new Date())).result).toBe('NOT_STARTED');
    const late = sale({
      startsAt: new Date(Date.now() - 120_000),
      endsAt: new Date(Date.now() - 60_000),
    });
    await store.load(late);
    expect((await store.attempt(late.id, 'a', 1, new Date())).result).toBe('ENDED');

    const s = sale({ stock: 3, perUserLimit: 2 });
    await store.load(s);
    const first = await store.attempt(s.id, 'a', 2, new Date());
    expect(first.result).toBe('WON');
    expect((await store.attempt(s.id, 'a', 1, new Date())).result).toBe('LIMIT_REACHED');
    expect((await store.attempt(s.id, 'b', 2, new Date())).result).toBe('SOLD_OUT');
    // loading again does not refill a pool that is selling
    await store.load(s);
    expect((await store.state(s.id)).stock).toBe(1);
    // a reload after Redis lost the sale starts from what the database does not hold
    expect(await store.isLoaded(s.id)).toBe(true);
    expect((first as { token: string }).token.startsWith(`${s.id}.`)).toBe(true);
  });

  it('a win and a LIMIT_REACHED say what the buyer may still win; one call or a batch alike', async () => {
    const s = sale({ stock: 10, perUserLimit: 3 });
    await store.load(s);
    const now = new Date();
    expect(await store.attempt(s.id, 'a', 1, now)).toMatchObject({
      result: 'WON',
      allowanceLeft: 2,
    });
    expect(await store.attempt(s.id, 'a', 3, now)).toEqual({
      result: 'LIMIT_REACHED',
      allowanceLeft: 2,
    });
    // in one batch, in order: each attempt sees the ones before it
    const batch = await store.attemptMany(
      s.id,
      [
        { buyer: 'a', quantity: 2 },
        { buyer: 'a', quantity: 1 },
        { buyer: 'b', quantity: 3 },
        { buyer: 'c', quantity: 2 },
      ],
      now,
    );
    expect(batch.map((r) => [r.result, 'allowanceLeft' in r ? r.allowanceLeft : null])).toEqual([
      ['WON', 0],
      ['LIMIT_REACHED', 0],
      ['WON', 0],
      ['WON', 1],
    ]);
    expect(await store.attempt(s.id, 'd', 3, now)).toEqual({ result: 'SOLD_OUT' });
    // units given back raise what the buyer may win again
    const won = batch[0] as { token: string };
    await store.giveBack(s.id, won.token, 'a', 2);
    expect(await store.attempt(s.id, 'a', 1, now)).toMatchObject({
      result: 'WON',
      allowanceLeft: 1,
    });
  });

  it('an unused winning token gives its units back, once', async () => {
    const s = sale({ stock: 1 });
    await store.load(s);
    const won = (await store.attempt(s.id, 'a', 1, new Date())) as { token: string };
    expect((await store.attempt(s.id, 'b', 1, new Date())).result).toBe('SOLD_OUT');
    expect(await store.giveBack(s.id, won.token, 'a', 1)).toBe(1);
    expect(await store.giveBack(s.id, won.token, 'a', 1)).toBe(0);
    expect(await store.state(s.id)).toEqual({ stock: 1, buyers: { a: 0 } });
    expect((await store.attempt(s.id, 'b', 1, new Date())).result).toBe('WON');
  });
});
