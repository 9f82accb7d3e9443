import { Money } from '@emporia/money';
import pino from 'pino';
import type { FlashSale, FlashSaleStatus } from '../domain/flash-sale';
import {
  CTX,
  FakeClock,
  InMemoryFlashSaleStore,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
} from '../testing';
import type { FlashSaleCursor } from './ports';
import { FlashSalesUseCase } from './flash-sales.use-case';

const MINUTE = 60_000;
const at = (hhmm: string) => new Date(`2026-11-25T${hhmm}:00Z`);

/**
 * The operators' list of flash sales: newest first, all or by where their window stands at the
 * clock's now (SCHEDULED, LIVE, ENDED), in pages; each with its reconciliation exactly as the
 * single sale's read reports it, wins still in the pool's list recorded first.
 */
describe('listing flash sales', () => {
  const setup = async () => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock(at('10:00'));
    const uow = new InMemoryUnitOfWork(store, clock);
    const pool = new InMemoryFlashSaleStore();
    const flash = new FlashSalesUseCase(
      uow,
      clock,
      pool,
      { tokenTtlMs: 15 * MINUTE },
      pino({ level: 'silent' }),
    );
    const sale = (id: string, startsAt: Date, endsAt: Date): FlashSale => ({
      id,
      skuId: `sku-${id}`,
      price: Money.of(9900, 'CNY'),
      stock: 5,
      perUserLimit: 2,
      startsAt,
      endsAt,
    });
    // created a minute apart, in this order
    for (const s of [
      sale('live-long', at('09:00'), at('12:00')),
      sale('later', at('13:00'), at('14:00')),
      sale('short', at('09:00'), at('10:30')),
      sale('live-hour', at('10:00'), at('11:00')),
    ]) {
      await flash.create(CTX, s);
      clock.advance(MINUTE);
    }
    clock.advance(45 * MINUTE - 4 * MINUTE); // 10:45: 'short' has ended
    const ids = async (status: FlashSaleStatus | null) =>
      (await flash.list(CTX, { status, limit: 20, after: null })).items.map((d) => d.sale.id);
    return { store, clock, uow, pool, flash, ids };
  };

  it('lists newest first, and by where each window stands now', async () => {
    const { ids, clock } = await setup();
    expect(await ids(null)).toEqual(['live-hour', 'short', 'later', 'live-long']);
    expect(await ids('LIVE')).toEqual(['live-hour', 'live-long']);
    expect(await ids('SCHEDULED')).toEqual(['later']);
    expect(await ids('ENDED')).toEqual(['short']);
    // at its start a sale is live, at its end it has ended (as attempts see it)
    clock.advance(at('13:00').getTime() - at('10:45').getTime());
    expect(await ids('LIVE')).toEqual(['later']);
    expect(await ids('ENDED')).toEqual(['live-hour', 'short', 'live-long']);
  });

  it('pages with a cursor: each sale once, no cursor after the last page', async () => {
    const { flash } = await setup();
    const seen: string[] = [];
    let after: FlashSaleCursor | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof flash.list>> = await flash.list(CTX, {
        status: null,
        limit: 3,
        after,
      });
      seen.push(...page.items.map((d) => d.sale.id));
      after = page.next;
      pages++;
    } while (after);
    expect(seen).toEqual(['live-hour', 'short', 'later', 'live-long']);
    expect(pages).toBe(2);
    const exact = await flash.list(CTX, { status: 'LIVE', limit: 2, after: null });
    expect(exact.items).toHaveLength(2);
    expect(exact.next).toBeNull();
  });

  it('reports each sale’s units as the single read does, after recording wins the database missed', async () => {
    const { flash, uow, store } = await setup();
    await flash.attempt(CTX, 'live-long', 'acc-1', 2);
    uow.failNextRuns(1, new Error('db down'));
    const missed = await flash.attempt(CTX, 'live-long', 'acc-2', 1);
    expect(missed.result).toBe('WON');
    expect([...store.purchases.values()].map((p) => p.accountId)).toEqual(['acc-1']);

    const { items } = await flash.list(CTX, { status: null, limit: 20, after: null });
    const listed = items.find((d) => d.sale.id === 'live-long')!;
    expect(listed.reconciliation).toEqual({ redisRemaining: 2, held: 3, paid: 0, drift: 0 });
    expect(store.purchases.size).toBe(2);
    for (const d of items)
      expect({ id: d.sale.id, r: d.reconciliation }).toEqual({
        id: d.sale.id,
        r: (await flash.get(CTX, d.sale.id)).reconciliation,
      });
    expect(items.find((d) => d.sale.id === 'later')!.reconciliation).toEqual({
      redisRemaining: 5,
      held: 0,
      paid: 0,
      drift: 0,
    });
  });

  it('lists nothing when no sale matches', async () => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    const flash = new FlashSalesUseCase(
      new InMemoryUnitOfWork(store, clock),
      clock,
      new InMemoryFlashSaleStore(),
      { tokenTtlMs: MINUTE },
      pino({ level: 'silent' }),
    );
    expect(await flash.list(CTX, { status: null, limit: 20, after: null })).toEqual({
      items: [],
      next: null,
    });
  });
});
