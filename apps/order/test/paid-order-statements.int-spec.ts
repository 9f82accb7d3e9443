import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { newContext } from '@emporia/platform';
import { createTestDatabase } from '@emporia/testing';
import type { CheckoutRecord, OrderTx } from '../src/application/ports';
import { ORDER_MIGRATIONS } from '../src/infrastructure/migrations';
import { TypeormUnitOfWork } from '../src/infrastructure/typeorm-unit-of-work';
import { anOrder } from '../src/testing';

jest.setTimeout(120_000);

const ALICE = '0190a000-0000-7000-8000-0000000000a1';
const BOB = '0190a000-0000-7000-8000-0000000000b0';
const id = (n: number) => `0190c000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * The statements of the paid-order path that read two things at once, on real Postgres through
 * the services' own client (held writes, `BEGIN` sent with the first statement): what each maps,
 * and the round trips its transaction costs (calls of pg's own `Client.query`, one per round
 * trip).
 */
describe('order: paid-order path statements (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let pg: Client;
  let uow: TypeormUnitOfWork;
  const ctx = newContext();

  /** The work's result, and the round trips its transaction made. */
  const counted = async <T>(work: (tx: OrderTx) => Promise<T>): Promise<[T, number]> => {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const result = await uow.run(ctx, work);
      return [result, spy.mock.calls.length];
    } finally {
      spy.mockRestore();
    }
  };

  const record = (key: string, accountId: string): Omit<CheckoutRecord, 'attempts'> => ({
    key,
    accountId,
    orderId: key,
    reservationId: id(900),
    requestHash: '{"h":1}',
    status: 'STARTED',
    errorCode: null,
    errorMessage: null,
    couponCodes: ['B', 'A'],
    createdAt: new Date('2026-11-25T10:00:00Z'),
    attemptId: id(901),
    heartbeatAt: new Date('2026-11-25T10:00:00Z'),
  });

  beforeAll(async () => {
    db = await createTestDatabase('order_paid_path');
    ds = createDataSource({ url: db.url, entities: [], migrations: ORDER_MIGRATIONS });
    await ds.initialize();
    await runMigrations(ds);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    uow = new TypeormUnitOfWork(ds, 'order.events', 'order.cart');
  });

  afterAll(async () => {
    await pg?.end();
    await ds?.destroy();
    await db?.drop();
  });

  describe('checkout start: the new record with the account cart', () => {
    it('maps the record and the cart read by the insert, in one round trip before the commit', async () => {
      const at = new Date('2026-11-25T09:30:00.123Z');
      await uow.run(ctx, async (tx) => {
        const cart = await tx.carts.lock({ accountId: ALICE }, id(1), at);
        await tx.carts.save({
          ...cart,
          lines: [
            { skuId: 'sku-1', quantity: 2 },
            { skuId: 'sku-2', quantity: 1 },
          ],
        });
      });
      // another owner's carts are not the account's
      await uow.run(ctx, (tx) => tx.carts.lock({ guestKey: 'g-1' }, id(2), at));
      const [begun, trips] = await counted((tx) => tx.checkouts.begin(record(id(10), ALICE)));
      expect(trips).toBe(2); // BEGIN + INSERT ... RETURNING with the cart; COMMIT
      expect(begun).toEqual({
        created: true,
        record: { ...record(id(10), ALICE), attempts: 1 },
        cart: {
          id: id(1),
          owner: { accountId: ALICE },
          lines: [
            { skuId: 'sku-1', quantity: 2 },
            { skuId: 'sku-2', quantity: 1 },
          ],
          updatedAt: at,
        },
      });
      // what the separate read answers, the same
      if (!begun.created) throw new Error('not created');
      expect(await uow.read(ctx, (tx) => tx.carts.find({ accountId: ALICE }))).toEqual(begun.cart);
    });

    it('answers no cart for an account without one', async () => {
      const begun = await uow.run(ctx, (tx) => tx.checkouts.begin(record(id(11), BOB)));
      expect(begun).toEqual({
        created: true,
        record: { ...record(id(11), BOB), attempts: 1 },
        cart: null,
      });
    });

    it('returns a stored record without its cart, row-locked, and stores nothing new', async () => {
      const retry = { ...record(id(10), ALICE), attemptId: id(902), requestHash: 'other' };
      const begun = await uow.run(ctx, async (tx) => {
        const found = await tx.checkouts.begin(retry);
        const locks = await pg.query(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'checkouts' AND l.mode = 'RowShareLock' AND l.granted`,
        );
        return { found, locks: locks.rows[0].n as number };
      });
      expect(begun.found).toEqual({
        created: false,
        record: { ...record(id(10), ALICE), attempts: 1 },
      });
      expect(begun.locks).toBe(1);
    });
  });

  describe('payment creation: the order with the attempt made from it', () => {
    const order = (n: number, status: 'PENDING_PAYMENT' | 'PAID' = 'PENDING_PAYMENT') =>
      anOrder()
        .withId(id(n))
        .of(ALICE)
        .with({ status, reservationId: id(n + 1000) })
        .build();
    const attempt = (orderId: string, paymentId: string) => ({
      id: paymentId,
      orderId,
      accountId: ALICE,
      provider: 'sandbox',
      createdAt: new Date('2026-11-25T11:00:00.5Z'),
    });
    const payments = async (orderId: string) =>
      (
        await pg.query(
          `SELECT id, status, redirect_url FROM payments WHERE order_id = $1 ORDER BY created_at, id`,
          [orderId],
        )
      ).rows;

    beforeAll(async () => {
      await uow.run(ctx, async (tx) => {
        for (const o of [order(20), order(21, 'PAID'), order(22)])
          await tx.orders.add({ order: o, baseVersion: null, events: [] }, []);
      });
    });

    it('makes the attempt for the order total and reads the order as find does: two round trips with its page', async () => {
      const [opened, trips] = await counted(async (tx) => {
        const found = await tx.payments.openAttemptOnOrder(attempt(id(20), id(120)));
        await tx.payments.recordPage(id(120), 'https://pay.example/120');
        return found;
      });
      expect(trips).toBe(2); // the statement; the page with the COMMIT
      const stored = await uow.read(ctx, (tx) => tx.orders.find(id(20)));
      expect(opened.order).toEqual(stored);
      expect(opened.order!.total.amountMinor).toBeGreaterThan(0);
      expect(opened.made).toEqual({
        id: id(120),
        orderId: id(20),
        provider: 'sandbox',
        providerTxnId: null,
        amount: stored!.total,
        status: 'STARTED',
        createdAt: new Date('2026-11-25T11:00:00.5Z'),
        redirectUrl: null,
      });
      expect(await uow.read(ctx, (tx) => tx.payments.find(id(120)))).toEqual({
        ...opened.made,
        redirectUrl: 'https://pay.example/120',
      });
    });

    it('makes nothing while the order has an open attempt with the provider', async () => {
      const opened = await uow.run(ctx, (tx) =>
        tx.payments.openAttemptOnOrder(attempt(id(20), id(121))),
      );
      expect(opened.order?.id).toBe(id(20));
      expect(opened.made).toBeNull();
      expect(await payments(id(20))).toEqual([
        { id: id(120), status: 'STARTED', redirect_url: 'https://pay.example/120' },
      ]);
    });

    it('makes nothing for an order that is not payable or not the account’s, and answers it', async () => {
      const paid = await uow.run(ctx, (tx) =>
        tx.payments.openAttemptOnOrder(attempt(id(21), id(130))),
      );
      expect(paid.order).toEqual(await uow.read(ctx, (tx) => tx.orders.find(id(21))));
      expect(paid.made).toBeNull();
      const bobs = await uow.run(ctx, (tx) =>
        tx.payments.openAttemptOnOrder({ ...attempt(id(22), id(131)), accountId: BOB }),
      );
      expect(bobs.order?.accountId).toBe(ALICE);
      expect(bobs.made).toBeNull();
      // an account id that is no UUID is compared as text, like the caller compares it
      const odd = await uow.run(ctx, (tx) =>
        tx.payments.openAttemptOnOrder({ ...attempt(id(22), id(132)), accountId: 'not-a-uuid' }),
      );
      expect(odd.made).toBeNull();
      expect(await payments(id(21))).toEqual([]);
      expect(await payments(id(22))).toEqual([]);
    });

    it('answers no order for an unknown id, making nothing', async () => {
      expect(
        await uow.run(ctx, (tx) => tx.payments.openAttemptOnOrder(attempt(id(29), id(140)))),
      ).toEqual({ order: null, made: null });
      expect(await payments(id(29))).toEqual([]);
    });
  });
});
