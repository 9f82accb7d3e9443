import { Money } from '@emporia/money';
import { metricsRegistry } from '@emporia/platform';
import pino from 'pino';
import type { FlashSale } from '../domain/flash-sale';
import {
  CTX,
  FakeClock,
  InMemoryFlashSaleStore,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
} from '../testing';
import { flashAttemptOutcome, type FlashAttemptOutcome } from './flash-sale.metrics';
import { FlashSalesUseCase } from './flash-sales.use-case';

/** `emporia_flash_sale_attempts_total` by outcome, right now. */
async function counted(): Promise<Record<FlashAttemptOutcome, number>> {
  const counts = { won: 0, sold_out: 0, limit: 0, rejected: 0 };
  const metric = metricsRegistry.getSingleMetric('emporia_flash_sale_attempts_total');
  for (const v of (await metric!.get()).values)
    counts[v.labels.outcome as FlashAttemptOutcome] = v.value;
  return counts;
}

/** What was counted while `work` ran. */
async function countedDuring(work: () => Promise<unknown>) {
  const before = await counted();
  await work();
  const after = await counted();
  return Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, v - before[k as FlashAttemptOutcome]]),
  );
}

describe('flash-sale metrics', () => {
  const sale = (over: Partial<FlashSale> = {}): FlashSale => ({
    id: 'sale-1',
    skuId: 'sku-1',
    price: Money.of(9900, 'CNY'),
    stock: 3,
    perUserLimit: 2,
    startsAt: new Date('2026-11-25T09:00:00Z'),
    endsAt: new Date('2026-11-25T12:00:00Z'),
    ...over,
  });
  const setup = async () => {
    const clock = new FakeClock();
    const pool = new InMemoryFlashSaleStore();
    const flash = new FlashSalesUseCase(
      new InMemoryUnitOfWork(new InMemoryMarketingStore(), clock),
      clock,
      pool,
      { tokenTtlMs: 60_000 },
      pino({ level: 'silent' }),
    );
    await flash.create(CTX, sale());
    return { flash, pool, clock };
  };

  it('maps every decided result to one outcome: the window’s refusals are rejected', () => {
    expect(
      (['WON', 'SOLD_OUT', 'LIMIT_REACHED', 'NOT_STARTED', 'ENDED'] as const).map(
        flashAttemptOutcome,
      ),
    ).toEqual(['won', 'sold_out', 'limit', 'rejected', 'rejected']);
  });

  it('counts each decided attempt once, alone or in a batch, a sale Redis lost included; failures are not attempts decided', async () => {
    const { flash, pool } = await setup();
    await flash.create(
      CTX,
      sale({
        id: 'sale-later',
        startsAt: new Date('2026-11-26T09:00:00Z'),
        endsAt: new Date('2026-11-26T12:00:00Z'),
      }),
    );
    expect(
      await countedDuring(async () => {
        await flash.attempt(CTX, 'sale-1', 'acc-1', 2); // won
        await flash.attempt(CTX, 'sale-1', 'acc-1', 1); // limit
        await flash.attempt(CTX, 'sale-later', 'acc-1', 1); // not started: rejected
        await flash.attempt(CTX, 'nope', 'acc-1', 1).catch(() => undefined); // no such sale
        await flash.attempt(CTX, 'sale-1', 'acc-1', 0).catch(() => undefined); // bad quantity
      }),
    ).toEqual({ won: 1, sold_out: 0, limit: 1, rejected: 1 });
    // Redis lost the pool: the batch's attempt is restored and decided once, not twice
    pool.pools.clear();
    expect(
      await countedDuring(() =>
        flash.attemptMany(CTX, [
          { saleId: 'sale-1', accountId: 'acc-2', quantity: 1 }, // won (after the reload)
          { saleId: 'sale-1', accountId: 'acc-3', quantity: 1 }, // sold out
          { saleId: 'sale-1', accountId: 'acc-4', quantity: 11 }, // bad quantity
          { saleId: 'nope', accountId: 'acc-4', quantity: 1 }, // no such sale
        ]),
      ),
    ).toEqual({ won: 1, sold_out: 1, limit: 0, rejected: 0 });
    // Redis failing: nothing decided, nothing counted
    pool.failNext = new Error('connection lost');
    expect(
      await countedDuring(() =>
        flash.attemptMany(CTX, [{ saleId: 'sale-1', accountId: 'acc-5', quantity: 1 }]),
      ),
    ).toEqual({ won: 0, sold_out: 0, limit: 0, rejected: 0 });
  });

  it('live stock: the sales selling now and the units left in their pools', async () => {
    const { flash, clock } = await setup();
    await flash.create(CTX, sale({ id: 'sale-2', stock: 10 }));
    await flash.create(
      CTX,
      sale({
        id: 'sale-later',
        stock: 50,
        startsAt: new Date('2026-11-26T09:00:00Z'),
        endsAt: new Date('2026-11-26T12:00:00Z'),
      }),
    );
    await flash.attempt(CTX, 'sale-1', 'acc-1', 2);
    expect(await flash.liveStock(CTX)).toEqual({ live: 2, remainingUnits: 1 + 10 });
    clock.advance(3 * 3_600_000); // the first two ended
    expect(await flash.liveStock(CTX)).toEqual({ live: 0, remainingUnits: 0 });
    clock.advance(21 * 3_600_000); // the last one started
    expect(await flash.liveStock(CTX)).toEqual({ live: 1, remainingUnits: 50 });
  });
});
