import { Money } from '@emporia/money';
import pino from 'pino';
import type { FlashSale } from '../domain/flash-sale';
import {
  CTX,
  FakeClock,
  InMemoryFlashSaleStore,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
} from '../testing';
import { FlashSalesUseCase } from './flash-sales.use-case';

/** Flash sales: Redis (the in-memory pool) decides, the database records; the sweep mends. */
describe('flash sales', () => {
  const TTL = 15 * 60_000;
  const sale = (over: Partial<FlashSale> = {}): FlashSale => ({
    id: 'sale-1',
    skuId: 'sku-1',
    price: Money.of(9900, 'CNY'),
    stock: 5,
    perUserLimit: 2,
    startsAt: new Date('2026-11-25T09:00:00Z'),
    endsAt: new Date('2026-11-25T12:00:00Z'),
    ...over,
  });
  const setup = async () => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    const uow = new InMemoryUnitOfWork(store, clock);
    const pool = new InMemoryFlashSaleStore();
    const flash = new FlashSalesUseCase(
      uow,
      clock,
      pool,
      { tokenTtlMs: TTL },
      pino({ level: 'silent' }),
    );
    await flash.create(CTX, sale());
    return { store, clock, uow, pool, flash };
  };

  it('a created sale is stored, loaded and announced once; its id cannot be reused', async () => {
    const { flash, store, pool } = await setup();
    expect(await pool.isLoaded('sale-1')).toBe(true);
    await expect(flash.create(CTX, sale({ stock: 99 }))).rejects.toMatchObject({
      code: 'FLASH_SALE_EXISTS',
    });
    expect(store.outbox).toEqual([
      { type: 'FlashSaleScheduled', saleId: 'sale-1', skuId: 'sku-1' },
    ]);
    expect(store.sales.get('sale-1')!.stock).toBe(5);
  });

  it('a win is recorded with its expiry; the per-user limit and stock refuse the rest', async () => {
    const { flash, store, clock } = await setup();
    const won = await flash.attempt(CTX, 'sale-1', 'acc-1', 2);
    // the limit is 2: nothing left to win for this buyer, which the answer says
    expect(won).toMatchObject({ result: 'WON', allowanceLeft: 0 });
    const token = (won as { token: string }).token;
    expect(store.purchases.get(token)).toMatchObject({
      accountId: 'acc-1',
      quantity: 2,
      status: 'WON',
      expiresAt: new Date(clock.now().getTime() + TTL),
    });
    expect(await flash.attempt(CTX, 'sale-1', 'acc-1', 1)).toEqual({
      result: 'LIMIT_REACHED',
      allowanceLeft: 0,
    });
    expect((await flash.attempt(CTX, 'sale-1', 'acc-2', 2)).result).toBe('WON');
    expect(await flash.attempt(CTX, 'sale-1', 'acc-3', 2)).toEqual({ result: 'SOLD_OUT' });
    expect(await flash.attempt(CTX, 'sale-1', 'acc-3', 1)).toMatchObject({
      result: 'WON',
      allowanceLeft: 1,
    });
    const { reconciliation } = await flash.get(CTX, 'sale-1');
    expect(reconciliation).toEqual({ redisRemaining: 0, held: 5, paid: 0, drift: 0 });
  });

  it('a win the database missed is still a win, and the next read records it from the win list', async () => {
    const { flash, store, uow } = await setup();
    uow.failNextRuns(1, new Error('db down'));
    const won = await flash.attempt(CTX, 'sale-1', 'acc-1', 1);
    expect(won.result).toBe('WON');
    expect(store.purchases.size).toBe(0);
    const { reconciliation } = await flash.get(CTX, 'sale-1');
    expect(store.purchases.get((won as { token: string }).token)!.status).toBe('WON');
    expect(reconciliation.drift).toBe(0);
  });

  it('a sale Redis lost is reloaded from what the database holds: no oversell, limits kept', async () => {
    const { flash, pool } = await setup();
    await flash.attempt(CTX, 'sale-1', 'acc-1', 2);
    await flash.attempt(CTX, 'sale-1', 'acc-2', 2);
    pool.pools.clear();
    expect(await flash.attempt(CTX, 'sale-1', 'acc-1', 1)).toEqual({
      result: 'LIMIT_REACHED',
      allowanceLeft: 0,
    });
    expect((await flash.attempt(CTX, 'sale-1', 'acc-3', 1)).result).toBe('WON');
    expect(await flash.attempt(CTX, 'sale-1', 'acc-4', 1)).toEqual({ result: 'SOLD_OUT' });
    await expect(flash.attempt(CTX, 'nope', 'acc-1', 1)).rejects.toMatchObject({
      code: 'FLASH_SALE_NOT_FOUND',
    });
  });

  it('the sweep gives a lapsed win’s units back once; an ordered win is kept', async () => {
    const { flash, store, clock, pool } = await setup();
    const a = (await flash.attempt(CTX, 'sale-1', 'acc-1', 2)) as { token: string };
    const b = (await flash.attempt(CTX, 'sale-1', 'acc-2', 1)) as { token: string };
    store.purchases.set(b.token, {
      ...store.purchases.get(b.token)!,
      status: 'ORDERED',
      orderId: 'o1',
    });
    clock.advance(TTL);
    // both wins are still in the win list: recorded again (idempotent by token) and acked
    expect(await flash.sweep(CTX)).toEqual({ recorded: 2, returned: 1 });
    expect(store.purchases.get(a.token)!.status).toBe('RETURNED');
    expect(store.purchases.get(b.token)!.status).toBe('ORDERED');
    expect(await pool.state('sale-1')).toEqual({ stock: 4, buyers: { 'acc-1': 0, 'acc-2': 1 } });
    expect(await flash.sweep(CTX)).toEqual({ recorded: 0, returned: 0 });
    expect((await flash.get(CTX, 'sale-1')).reconciliation.drift).toBe(0);
  });

  it('the sweep reconciles a live sale at most every reconcileEveryMs, and logs its drift', async () => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    const pool = new InMemoryFlashSaleStore();
    const warnings: unknown[] = [];
    const logger = pino({ level: 'silent' });
    logger.warn = ((o: unknown) => void warnings.push(o)) as typeof logger.warn;
    const flash = new FlashSalesUseCase(
      new InMemoryUnitOfWork(store, clock),
      clock,
      pool,
      { tokenTtlMs: TTL, reconcileEveryMs: 30_000 },
      logger,
    );
    await flash.create(CTX, sale());
    const won = (await flash.attempt(CTX, 'sale-1', 'acc-1', 2)) as { token: string };
    await flash.sweep(CTX);
    expect(warnings).toEqual([]);
    // the database loses the win (Redis still counts its units): the next reconciliation drifts
    store.purchases.delete(won.token);
    clock.advance(1000);
    await flash.sweep(CTX);
    expect(warnings).toEqual([]); // reconciled 1 s ago: not again yet
    clock.advance(29_000);
    await flash.sweep(CTX);
    expect(warnings).toEqual([expect.objectContaining({ saleId: 'sale-1', drift: 2 })]);
    clock.advance(1000);
    await flash.sweep(CTX);
    expect(warnings).toHaveLength(1);
    // asked for, a sale is reconciled whenever
    expect((await flash.get(CTX, 'sale-1')).reconciliation.drift).toBe(2);
  });

  it('a reading taken while a unit is given back is read again: no drift reported for the moment between Redis and the commit', async () => {
    const { flash, store, pool } = await setup();
    const won = (await flash.attempt(CTX, 'sale-1', 'acc-1', 1)) as { token: string };
    // the sweep's order: Redis takes the unit back, the database's RETURNED commits after
    await pool.giveBack('sale-1', won.token, 'acc-1', 1);
    const asked = flash.get(CTX, 'sale-1');
    setTimeout(() => (store.purchases.get(won.token)!.status = 'RETURNED'), 20);
    expect((await asked).reconciliation).toEqual({
      redisRemaining: 5,
      held: 0,
      paid: 0,
      drift: 0,
    });
    // a drift still there when read again is reported
    store.purchases.get(won.token)!.status = 'WON';
    expect((await flash.get(CTX, 'sale-1')).reconciliation).toMatchObject({ held: 1, drift: -1 });
  });

  it('wins a gateway decided and nobody recorded yet count as held: a sale selling at the edge reads no drift; a win listed and recorded counts once', async () => {
    const { flash, store, pool, clock } = await setup();
    // marketing's own win: recorded at once, and in the win list until a drain drops it
    await flash.attempt(CTX, 'sale-1', 'acc-1', 1);
    // a gateway's win, decided in the pool after the last drain: in the list only
    await pool.attempt('sale-1', 'acc-2', 2, clock.now());
    // the drain before the reading finds nothing (as for wins decided just after it)
    pool.pendingWins = async () => [];
    const { reconciliation } = await flash.get(CTX, 'sale-1');
    expect(reconciliation).toEqual({ redisRemaining: 2, held: 3, paid: 0, drift: 0 });
    expect(store.purchases.size).toBe(1);
  });

  it('a batch decides each attempt as alone, in order; a bad attempt or a failing sale fails only its own', async () => {
    const { flash, store, pool, clock } = await setup();
    await flash.create(CTX, sale({ id: 'sale-2', stock: 1 }));
    const outcomes = await flash.attemptMany(CTX, [
      { saleId: 'sale-1', accountId: 'acc-1', quantity: 2 },
      { saleId: 'sale-1', accountId: 'acc-2', quantity: 0 },
      { saleId: 'nope', accountId: 'acc-1', quantity: 1 },
      { saleId: 'sale-2', accountId: 'acc-2', quantity: 1 },
      { saleId: 'sale-1', accountId: 'acc-1', quantity: 1 },
      { saleId: 'sale-1', accountId: 'acc-3', quantity: 2 },
      { saleId: 'sale-2', accountId: 'acc-3', quantity: 1 },
    ]);
    const code = (o: (typeof outcomes)[number]) =>
      o.ok ? o.outcome.result : (o.error as { code: string }).code;
    expect(outcomes.map(code)).toEqual([
      'WON',
      'QUANTITY_INVALID',
      'FLASH_SALE_NOT_FOUND',
      'WON',
      'LIMIT_REACHED',
      'WON',
      'SOLD_OUT',
    ]);
    const tokens = outcomes.flatMap((o) =>
      o.ok && o.outcome.result === 'WON' ? [o.outcome.token] : [],
    );
    expect(tokens.map((t) => store.purchases.get(t)?.expiresAt)).toEqual(
      tokens.map(() => new Date(clock.now().getTime() + TTL)),
    );
    // Redis failing for one sale's call fails that sale's attempts alone
    pool.failNext = new Error('connection lost');
    const [failed, other] = await flash.attemptMany(CTX, [
      { saleId: 'sale-1', accountId: 'acc-4', quantity: 1 },
      { saleId: 'nope', accountId: 'acc-4', quantity: 1 },
    ]);
    expect(failed).toMatchObject({ ok: false, error: { message: 'connection lost' } });
    expect(other).toMatchObject({ ok: false, error: { code: 'FLASH_SALE_NOT_FOUND' } });
  });

  it('refuses a sale that has already ended', async () => {
    const { flash, clock } = await setup();
    clock.advance(3 * 3_600_000);
    await expect(flash.create(CTX, sale({ id: 'sale-2' }))).rejects.toMatchObject({
      code: 'FLASH_SALE_INVALID',
    });
  });
});
