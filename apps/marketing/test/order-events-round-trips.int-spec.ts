import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { Money } from '@emporia/money';
import type { ReceivedEvent } from '@emporia/messaging';
import { newContext } from '@emporia/platform';
import { createTestDatabase, oneConnectionDataSource, withRoundTrips } from '@emporia/testing';
import { FlashSalesUseCase } from '../src/application/flash-sales.use-case';
import { OrderEventsUseCase } from '../src/application/order-events.use-case';
import { MARKETING_MIGRATIONS } from '../src/infrastructure/migrations';
import { systemClock, TypeormUnitOfWork } from '../src/infrastructure/typeorm-unit-of-work';
import { InMemoryFlashSaleStore } from '../src/testing';

jest.setTimeout(120_000);

/**
 * Round trips to Postgres of the order events every paid order brings marketing (issue 19),
 * counted as calls of pg's own `Client.query` under the service's preparing client (a statement
 * sent with the writes held before it is one call). One pooled connection, warmed up first, so
 * every statement is named and parsed as in steady state.
 */
describe('marketing: round trips of OrderPlaced and OrderPaid (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let events: OrderEventsUseCase;
  let uow: TypeormUnitOfWork;
  const ctx = newContext();
  const delivery = (eventType: string, eventId: string = randomUUID()): ReceivedEvent => ({
    topic: 'it.order.order',
    key: 'k',
    value: Buffer.alloc(0),
    headers: {},
    eventId,
    eventType,
    occurredAt: new Date().toISOString(),
    partition: 0,
    offset: '0',
  });
  const placed = () => delivery('emporia.order.v1.OrderPlaced');
  const paid = () => delivery('emporia.order.v1.OrderPaid');
  /** What `work` answers, and its round trips (pg calls). */
  const roundTrips = withRoundTrips;
  const ordersPlaced = async (accountId: string) =>
    (
      await ds.query(`SELECT orders_placed FROM customer_facts WHERE account_id = $1`, [accountId])
    )[0]?.orders_placed as number | undefined;
  const inboxed = async (eventId: string) =>
    Number(
      (await ds.query(`SELECT count(*)::int AS n FROM inbox WHERE event_id = $1`, [eventId]))[0].n,
    );

  beforeAll(async () => {
    db = await createTestDatabase('marketing_round_trips');
    ds = await oneConnectionDataSource(db.url, MARKETING_MIGRATIONS);
    uow = new TypeormUnitOfWork(ds, {
      groupBuy: 'it.marketing.group-buy',
      flashSale: 'it.marketing.flash-sale',
      coupon: 'it.marketing.coupon',
    });
    events = new OrderEventsUseCase(uow, systemClock, new InMemoryFlashSaleStore());
    // warm-up: every statement named and parsed on the one connection
    for (let i = 0; i < 3; i++) {
      const e = placed();
      await events.onOrderPlaced(ctx, e, randomUUID());
      await events.onOrderPlaced(ctx, e, randomUUID());
      await events.onOrderPaid(ctx, paid(), randomUUID());
    }
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('OrderPlaced: BEGIN with the inbox insert, the customer facts held for the COMMIT: two', async () => {
    const accountId = randomUUID();
    const e = placed();
    expect(await roundTrips(() => events.onOrderPlaced(ctx, e, accountId))).toEqual([true, 2]);
    expect(await ordersPlaced(accountId)).toBe(1);
    // a second order of the account adds to its row
    expect(await roundTrips(() => events.onOrderPlaced(ctx, placed(), accountId))).toEqual([
      true,
      2,
    ]);
    expect(await ordersPlaced(accountId)).toBe(2);
  });

  it('a replayed OrderPlaced counts nothing: the inbox insert answers no row, then COMMIT', async () => {
    const accountId = randomUUID();
    const e = placed();
    await events.onOrderPlaced(ctx, e, accountId);
    expect(await roundTrips(() => events.onOrderPlaced(ctx, e, accountId))).toEqual([false, 2]);
    expect(await ordersPlaced(accountId)).toBe(1);
    expect(await inboxed(e.eventId)).toBe(1);
  });

  it('a held customer-facts write that fails fails the COMMIT: the inbox row rolls back with it', async () => {
    const e = placed();
    // customer_facts.account_id is a uuid (the consumer refuses other ids before this)
    await expect(events.onOrderPlaced(ctx, e, 'not-a-uuid')).rejects.toThrow(/uuid/);
    expect(await inboxed(e.eventId)).toBe(0);
    // the connection goes on as before
    const accountId = randomUUID();
    expect(await roundTrips(() => events.onOrderPlaced(ctx, e, accountId))).toEqual([true, 2]);
    expect(await ordersPlaced(accountId)).toBe(1);
  });

  it('OrderPaid of an order holding nothing here: one read, no transaction, no inbox row', async () => {
    const e = paid();
    expect(await roundTrips(() => events.onOrderPaid(ctx, e, randomUUID()))).toEqual([false, 1]);
    expect(await inboxed(e.eventId)).toBe(0);
  });

  /** A flash sale selling now (`stock` units, `perUserLimit` each), in Postgres and the pool. */
  const liveSale = async (stock: number, perUserLimit: number) => {
    const pool = new InMemoryFlashSaleStore();
    const flash = new FlashSalesUseCase(
      uow,
      systemClock,
      pool,
      { tokenTtlMs: 300_000 },
      pino({ level: 'silent' }),
    );
    const saleId = randomUUID();
    await flash.create(ctx, {
      id: saleId,
      skuId: randomUUID(),
      price: Money.of(100, 'CNY'),
      stock,
      perUserLimit,
      startsAt: new Date(Date.now() - 60_000),
      endsAt: new Date(Date.now() + 3_600_000),
    });
    return { pool, flash, saleId };
  };

  it("a flash sale's wins: one statement per batch (no transaction: no COMMIT round trip), every win recorded", async () => {
    const { flash, saleId } = await liveSale(100, 2);
    const won = (r: { result: string }) => r.result === 'WON';
    // a lone win: its INSERT is the only round trip
    const [alone, one] = await roundTrips(() => flash.attempt(ctx, saleId, randomUUID(), 1));
    expect(won(alone)).toBe(true);
    expect(one).toBe(1);
    // ten wins at once: the first write carries the first, the other nine wait and go together
    const [many, trips] = await roundTrips(() =>
      Promise.all(Array.from({ length: 10 }, () => flash.attempt(ctx, saleId, randomUUID(), 1))),
    );
    expect(many.every(won)).toBe(true);
    expect(trips).toBe(2);
    const recorded = await ds.query(
      `SELECT count(*)::int AS n, sum(quantity)::int AS units FROM flash_purchases WHERE sale_id = $1`,
      [saleId],
    );
    expect(recorded[0]).toEqual({ n: 11, units: 11 });
  });

  it('a reconciliation during an edge sale: the listed wins Postgres has are counted once, the others as held', async () => {
    const { flash, pool, saleId } = await liveSale(10, 3);
    // recorded by marketing, still listed; then a gateway's win of 3, listed only
    expect((await flash.attempt(ctx, saleId, randomUUID(), 2)).result).toBe('WON');
    expect((await pool.attempt(saleId, randomUUID(), 3, new Date())).result).toBe('WON');
    // the drain before the reading finds nothing (as for wins decided just after it)
    pool.pendingWins = async () => [];
    const { reconciliation } = await flash.get(ctx, saleId);
    expect(reconciliation).toEqual({ redisRemaining: 5, held: 5, paid: 0, drift: 0 });
  });
});
