import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { createLogger, newContext } from '@emporia/platform';
import { createTestDatabase } from '@emporia/testing';
import type { CheckoutRecord, OrderTx } from '../src/application/ports';
import type { OrderLifecycleUseCase } from '../src/application/order-lifecycle.use-case';
import { PaymentUseCase } from '../src/application/payment.use-case';
import { ORDER_MIGRATIONS } from '../src/infrastructure/migrations';
import { SandboxPaymentProvider } from '../src/infrastructure/sandbox-payment.provider';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from '../src/infrastructure/typeorm-unit-of-work';
import type { PaymentCallback } from '../src/domain/payment';
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

  /** What `run` answers, and the round trips it made (pg's `Client.query` calls meanwhile). */
  const trips = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const result = await run();
      return [result, spy.mock.calls.length];
    } finally {
      spy.mockRestore();
    }
  };
  /** The work's result, and the round trips its transaction made. */
  const counted = <T>(work: (tx: OrderTx) => Promise<T>) => trips(() => uow.run(ctx, work));
  /** The same, of work run as one statement outside a transaction (`UnitOfWork.statement`). */
  const countedStatement = <T>(work: (tx: OrderTx) => Promise<T>) =>
    trips(() => uow.statement(ctx, work));
  /** Whether another connection finds the row locked (`FOR UPDATE NOWAIT` refused: 55P03). */
  const rowLocked = async (table: 'orders' | 'payments', rowId: string) =>
    pg.query(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE NOWAIT`, [rowId]).then(
      () => false,
      (e: { code?: string }) => {
        if (e.code !== '55P03') throw e;
        return true;
      },
    );

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
    uow = new TypeormUnitOfWork(ds, 'order.order', 'order.cart');
  });

  afterAll(async () => {
    await pg?.end();
    await ds?.destroy();
    await db?.drop();
  });

  describe('checkout start: the new record with the account cart', () => {
    it('maps the record and the cart read by the insert, in one round trip and no transaction', async () => {
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
      const [made, n] = await countedStatement((tx) => tx.checkouts.create(record(id(10), ALICE)));
      // the INSERT ... RETURNING with the cart, committed by itself (it was BEGIN + the statement,
      // then a COMMIT of its own: 2)
      expect(n).toBe(1);
      expect(made).toEqual({
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
      // what the separate reads answer, the same; committed, and no lock outlives the statement
      expect(await uow.read(ctx, (tx) => tx.carts.find({ accountId: ALICE }))).toEqual(made!.cart);
      const stored = await pg.query(`SELECT key FROM checkouts WHERE key = $1 FOR UPDATE NOWAIT`, [
        id(10),
      ]);
      expect(stored.rows).toEqual([{ key: id(10) }]);
    });

    it('answers no cart for an account without one', async () => {
      const made = await uow.statement(ctx, (tx) => tx.checkouts.create(record(id(11), BOB)));
      expect(made).toEqual({ record: { ...record(id(11), BOB), attempts: 1 }, cart: null });
    });

    it('answers nothing for a stored key and stores nothing new: the retry reads it under its lock', async () => {
      const retry = { ...record(id(10), ALICE), attemptId: id(902), requestHash: 'other' };
      const [made, n] = await countedStatement((tx) => tx.checkouts.create(retry));
      expect(made).toBeNull();
      expect(n).toBe(1);
      // the retried key's path as it was: the record read and locked in a transaction
      const begun = await uow.run(ctx, async (tx) => {
        const found = await tx.checkouts.lock(retry.key);
        const locks = await pg.query(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'checkouts' AND l.mode = 'RowShareLock' AND l.granted`,
        );
        return { found, locks: locks.rows[0].n as number };
      });
      expect(begun.found).toEqual({ ...record(id(10), ALICE), attempts: 1 });
      expect(begun.locks).toBe(1);
    });

    it('waits for a concurrent insert of the key, then answers nothing', async () => {
      const other = pg;
      await other.query('BEGIN');
      try {
        await other.query(
          `INSERT INTO checkouts (key, account_id, order_id, reservation_id, request_hash, status, coupon_codes,
                                  created_at, attempt_id, heartbeat_at, attempts)
           VALUES ($1, $2, $1, $3, 'h', 'STARTED', '{}', now(), $4, now(), 1)`,
          [id(12), ALICE, id(903), id(904)],
        );
        let settled = false;
        const made = uow
          .statement(ctx, (tx) => tx.checkouts.create(record(id(12), ALICE)))
          .finally(() => (settled = true));
        await new Promise((r) => setTimeout(r, 300));
        expect(settled).toBe(false);
        await other.query('COMMIT');
        expect(await made).toBeNull();
      } catch (e) {
        await other.query('ROLLBACK');
        throw e;
      }
    });

    it('refuses events: they need a transaction', async () => {
      await expect(
        uow.statement(ctx, async (tx) => {
          tx.cartEvents.changed({
            accountId: ALICE,
            lines: [],
            subtotal: null,
            changedAt: new Date(),
            cause: 'set_line',
          });
        }),
      ).rejects.toThrow(/use run\(\) for changes/);
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

  describe('sandbox pay: the payment with its order, locked, in the callback’s transaction', () => {
    const lifecycle = { syncReservation: jest.fn(async (..._args: unknown[]) => true) };
    let payments: PaymentUseCase;
    const sandbox = new SandboxPaymentProvider(
      'sandbox-secret-for-statement-counts-0123456789',
      'https://sandbox.example/pay',
      createLogger('order-test', 'silent'),
    );
    const order = (n: number) =>
      anOrder()
        .withId(id(n))
        .of(ALICE)
        .with({ status: 'PENDING_PAYMENT', reservationId: id(n + 1000) })
        .build();
    /** Opens a sandbox attempt on order `n` (its payment id `n + 100`). */
    const opened = async (n: number) => {
      await uow.run(ctx, (tx) =>
        tx.orders.add({ order: order(n), baseVersion: null, events: [] }, []),
      );
      const { made } = await uow.run(ctx, (tx) =>
        tx.payments.openAttemptOnOrder({
          id: id(n + 100),
          orderId: id(n),
          accountId: ALICE,
          provider: sandbox.name,
          createdAt: new Date('2026-11-25T11:00:00Z'),
        }),
      );
      return made!;
    };

    beforeAll(() => {
      payments = new PaymentUseCase(
        uow,
        new Map([[sandbox.name, sandbox]]),
        systemClock,
        uuidV7Generator,
        createLogger('order-test', 'silent'),
        lifecycle as unknown as OrderLifecycleUseCase,
      );
    });

    it('reads the payment and the order as their own reads do, the order row-locked, the payment not', async () => {
      const made = await opened(40);
      const found = await uow.run(ctx, async (tx) => {
        const read = await tx.payments.findWithOrderForUpdate(made.id, ALICE);
        return {
          read,
          orderLocked: await rowLocked('orders', id(40)),
          paymentLocked: await rowLocked('payments', made.id),
        };
      });
      expect(found.read).toEqual({
        payment: await uow.read(ctx, (tx) => tx.payments.find(made.id)),
        order: await uow.read(ctx, (tx) => tx.orders.find(id(40))),
      });
      expect(found.orderLocked).toBe(true);
      expect(found.paymentLocked).toBe(false);
    });

    it('answers nothing and locks nothing for another account’s payment or an unknown one', async () => {
      const made = await opened(41);
      for (const [paymentId, accountId] of [
        [made.id, BOB],
        [made.id, 'not-a-uuid'],
        [made.id, ALICE.toUpperCase()],
        [id(149), ALICE],
      ]) {
        const found = await uow.run(ctx, async (tx) => ({
          read: await tx.payments.findWithOrderForUpdate(paymentId, accountId),
          locked: await rowLocked('orders', id(41)),
        }));
        expect(found).toEqual({ read: null, locked: false });
      }
    });

    it('pays the order in one transaction of four round trips, no read before it (five before)', async () => {
      const made = await opened(42);
      const [answer, n] = await trips(() =>
        payments.completeSandbox(ctx, { paymentId: made.id, accountId: ALICE, succeed: true }),
      );
      // BEGIN + the payment with its order locked; the provider txn (INSERT ... RETURNING); the
      // order's UPDATE (its row count); the outbox with the COMMIT
      expect(n).toBe(4);
      expect(answer).toEqual({ outcome: 'PAID', orderId: id(42) });
      const paid = await uow.read(ctx, (tx) => tx.orders.find(id(42)));
      expect(paid?.status).toBe('PAID');
      expect(lifecycle.syncReservation).toHaveBeenCalledWith(
        ctx,
        id(42),
        id(1042),
        'COMMIT',
        undefined,
        paid,
      );
      const txn = await uow.read(ctx, (tx) =>
        tx.payments.findByProviderTxn('sandbox', `sbx-${made.id}`),
      );
      expect(txn).toMatchObject({ orderId: id(42), status: 'SUCCEEDED', amount: paid!.total });
      const events = await pg.query(
        `SELECT count(*)::int AS n FROM outbox WHERE message_key = $1 AND event_type LIKE '%OrderPaid%'`,
        [id(42)],
      );
      expect(events.rows[0].n).toBe(1);
      // a replay is the same callback again: recorded once, paid once
      expect(
        await payments.completeSandbox(ctx, {
          paymentId: made.id,
          accountId: ALICE,
          succeed: true,
        }),
      ).toEqual({ outcome: 'DUPLICATE', orderId: id(42) });
    });

    it('a provider’s own callback locks the order by its id: four round trips as before', async () => {
      const made = await opened(45);
      const callback: PaymentCallback = {
        provider: sandbox.name,
        providerTxnId: `sbx-${made.id}`,
        orderId: id(45),
        amountMinor: made.amount.amountMinor,
        currency: made.amount.currency,
        status: 'SUCCEEDED',
        timestamp: Math.floor(Date.now() / 1000),
      };
      const [outcome, n] = await trips(() =>
        payments.callback(ctx, callback, sandbox.sign(callback)),
      );
      expect(outcome).toBe('PAID');
      expect(n).toBe(4);
      // the sandbox's page for it now finds the provider txn recorded: a replay
      expect(
        await payments.completeSandbox(ctx, {
          paymentId: made.id,
          accountId: ALICE,
          succeed: true,
        }),
      ).toEqual({ outcome: 'DUPLICATE', orderId: id(45) });
    });

    it('refuses another account’s payment and an unknown one as not found, writing nothing', async () => {
      const made = await opened(43);
      for (const [paymentId, accountId] of [
        [made.id, BOB],
        [id(159), ALICE],
      ])
        await expect(
          payments.completeSandbox(ctx, { paymentId, accountId, succeed: true }),
        ).rejects.toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
      expect((await uow.read(ctx, (tx) => tx.orders.find(id(43))))?.status).toBe('PENDING_PAYMENT');
      expect(await uow.read(ctx, (tx) => tx.payments.succeededFor(id(43)))).toEqual([]);
    });

    it('a failed payment closes the attempt; paying it again is not found', async () => {
      const made = await opened(44);
      expect(
        await payments.completeSandbox(ctx, {
          paymentId: made.id,
          accountId: ALICE,
          succeed: false,
        }),
      ).toEqual({ outcome: 'FAILED', orderId: id(44) });
      expect((await uow.read(ctx, (tx) => tx.payments.find(made.id)))?.status).toBe('FAILED');
      await expect(
        payments.completeSandbox(ctx, { paymentId: made.id, accountId: ALICE, succeed: true }),
      ).rejects.toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
    });
  });
});
