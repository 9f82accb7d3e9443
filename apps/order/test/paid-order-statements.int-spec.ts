import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { createLogger, newContext } from '@emporia/platform';
import { createTestDatabase, withRoundTrips } from '@emporia/testing';
import type {
  CheckoutRecord,
  CheckoutSettings,
  CheckoutStep,
  OrderTx,
  RiskPort,
  SagaFaults,
} from '../src/application/ports';
import { CheckoutAttemptsUseCase } from '../src/application/checkout-attempts.use-case';
import { CheckoutUseCase, type CheckoutInput } from '../src/application/checkout.use-case';
import type { OrderLifecycleUseCase } from '../src/application/order-lifecycle.use-case';
import { PaymentUseCase } from '../src/application/payment.use-case';
import type { CartLine } from '../src/domain/cart';
import { defaultRoutingStrategy } from '../src/domain/routing';
import { DEFAULT_STEP_UP_POLICY } from '../src/domain/step-up';
import { ORDER_MIGRATIONS } from '../src/infrastructure/migrations';
import { SandboxPaymentProvider } from '../src/infrastructure/sandbox-payment.provider';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from '../src/infrastructure/typeorm-unit-of-work';
import type { PaymentCallback } from '../src/domain/payment';
import {
  anAddress,
  anOrder,
  aSku,
  FakeAccounts,
  FakeCatalog,
  FakePricing,
  FakeRisk,
  shanghaiWarehouse,
} from '../src/testing';

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
  const trips = withRoundTrips;
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

  /** Whether `client` finds the row of `table` whose `column` is `value` locked (NOWAIT refused). */
  const rowLockedBy = async (client: Client, table: string, column: string, value: string) =>
    client.query(`SELECT 1 FROM ${table} WHERE ${column} = $1 FOR UPDATE NOWAIT`, [value]).then(
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

  describe('checkout PLACE: the record marked PLACED and the cart locked in one statement', () => {
    const SKU_A = '0190a000-0000-7000-8000-00000000000a';
    const SKU_B = '0190a000-0000-7000-8000-00000000000b';
    const SKU_C = '0190a000-0000-7000-8000-00000000000c';
    const logger = createLogger('order-test', 'silent');
    const settings: CheckoutSettings = {
      paymentTtlMs: 15 * 60_000,
      reviewTtlMs: 24 * 3_600_000,
      // no heartbeat while a test counts (one every lease / 3)
      checkoutLeaseMs: 600_000,
      checkoutAbandonAfterMs: 1_200_000,
      stepUp: { ...DEFAULT_STEP_UP_POLICY },
    };
    /** Notes the round trips made so far (`count`) when each saga step is done. */
    class StepMarks implements SagaFaults {
      readonly at = new Map<CheckoutStep, number>();
      count: () => number = () => 0;
      after(step: CheckoutStep): void {
        this.at.set(step, this.count());
      }
    }
    let catalog: FakeCatalog;
    let pricing: FakePricing;
    let marks: StepMarks;
    /** The checkout on this database; catalog, marketing, risk and user are fakes. */
    const checkoutWith = (risk: RiskPort = new FakeRisk()) => {
      catalog = new FakeCatalog([aSku(SKU_A).build(), aSku(SKU_B).build(), aSku(SKU_C).build()]);
      catalog.warehouseList = [shanghaiWarehouse()];
      pricing = new FakePricing(500);
      marks = new StepMarks();
      const attempts = new CheckoutAttemptsUseCase(
        uow,
        catalog,
        pricing,
        systemClock,
        settings,
        logger,
      );
      return new CheckoutUseCase(
        uow,
        catalog,
        pricing,
        risk,
        systemClock,
        uuidV7Generator,
        settings,
        marks,
        defaultRoutingStrategy,
        logger,
        attempts,
        new FakeAccounts(),
      );
    };
    const input = (accountId: string, key: string): CheckoutInput => ({
      accountId,
      checkoutKey: key,
      address: anAddress(),
      couponCodes: ['SAVE5'],
      ip: '203.0.113.7',
      deviceId: 'd1',
      channel: 'web',
    });
    const cartOf = async (accountId: string, lines: CartLine[]) =>
      uow.run(ctx, async (tx) => {
        const cart = await tx.carts.lock({ accountId }, uuidV7Generator.newId(), new Date());
        await tx.carts.save({ ...cart, lines });
      });
    /** The cart as stored, with its row version (`xmin`: any write, even a no-op one, changes it). */
    const storedCart = async (accountId: string) =>
      (
        await pg.query(
          `SELECT lines, updated_at, xmin::text AS version FROM carts WHERE account_id = $1`,
          [accountId],
        )
      ).rows[0] as { lines: CartLine[]; updated_at: Date; version: string } | undefined;
    const outboxTypes = async (keys: string[]) =>
      (
        await pg.query(`SELECT event_type FROM outbox WHERE message_key = ANY($1) ORDER BY seq`, [
          keys,
        ])
      ).rows.map((r: { event_type: string }) => r.event_type);
    /** The checkout's result, and the round trips of its PLACE transaction (after RESERVE). */
    const placeTrips = async (checkout: CheckoutUseCase, i: CheckoutInput) =>
      trips((count) => {
        marks.count = count;
        return checkout.execute(ctx, i);
      }).then(([result, n]) => [result, n - marks.at.get('RESERVED')!] as const);

    it('places the order in two round trips: the marked record with the locked cart, the COMMIT', async () => {
      const checkout = checkoutWith();
      // warm: the pool's connection, and the statements named (at their second run) and parsed
      for (const n of [0, 1]) {
        await cartOf(id(300 + n), [{ skuId: SKU_A, quantity: 1 }]);
        await checkout.execute(ctx, input(id(300 + n), id(400 + n)));
      }
      await cartOf(id(302), [
        { skuId: SKU_A, quantity: 2 },
        { skuId: SKU_B, quantity: 1 },
      ]);
      const [result, n] = await placeTrips(checkout, input(id(302), id(402)));
      // BEGIN + the record marked PLACED with the cart upsert-locked; the COMMIT with the order,
      // the cart's lines and the outbox rows (it was three: the marking, then the cart's lock with
      // the order's insert, then the COMMIT)
      expect(n).toBe(2);
      expect(result.order).toMatchObject({ id: id(402), status: 'PENDING_PAYMENT' });
      expect(await uow.read(ctx, (tx) => tx.orders.find(id(402)))).toEqual(result.order);
      expect((await storedCart(id(302)))?.lines).toEqual([]);
      expect(
        (await pg.query(`SELECT status FROM checkouts WHERE key = $1`, [id(402)])).rows,
      ).toEqual([{ status: 'PLACED' }]);
      expect(await outboxTypes([id(402), id(302)])).toEqual([
        'emporia.order.v1.OrderPlaced',
        'emporia.order.v1.CartChanged',
      ]);
    });

    it('a group order reads the group decision after the record’s lock: three round trips (four before)', async () => {
      const checkout = checkoutWith();
      const groupId = 'group-9';
      pricing.answer = (_in, listed) => ({
        ...listed,
        groupId,
        groupDeadline: new Date(Date.now() + 3_600_000),
      });
      // marketing decided the group while the checkout ran: its decision waits for the order
      await uow.run(ctx, (tx) =>
        tx.groups.record({
          orderId: id(403),
          groupId,
          decision: 'CONFIRMED',
          reason: 'filled',
          decidedAt: new Date(),
        }),
      );
      await cartOf(id(303), [{ skuId: SKU_B, quantity: 2 }]);
      const [result, n] = await placeTrips(checkout, {
        ...input(id(303), id(403)),
        groupDealId: 'deal-1',
      });
      // BEGIN + the marked record with the locked cart; the group decision; the COMMIT
      expect(n).toBe(3);
      expect(result.order).toMatchObject({ groupId, groupStatus: 'CONFIRMED' });
      expect(await uow.read(ctx, (tx) => tx.orders.find(id(403)))).toEqual(result.order);
      expect((await storedCart(id(303)))?.lines).toEqual([]);
    });

    it('an attempt taken over places nothing: no order, the cart untouched, nothing written', async () => {
      const other = id(499);
      // risk is asked while a retry takes the checkout over (the attempt had gone silent)
      const takenOver: RiskPort = {
        scoreOrder: async (_ctx, i) => {
          await pg.query(
            `UPDATE checkouts SET attempt_id = $2, attempts = attempts + 1 WHERE key = $1`,
            [i.orderId, other],
          );
          return { decision: 'ALLOW', score: 1, reasons: [], degraded: false };
        },
      };
      const checkout = checkoutWith(takenOver);
      await cartOf(id(304), [{ skuId: SKU_A, quantity: 2 }]);
      const before = await storedCart(id(304));
      await expect(checkout.execute(ctx, input(id(304), id(404)))).rejects.toMatchObject({
        code: 'CHECKOUT_ABANDONED',
      });
      expect(marks.at.has('PLACED')).toBe(false);
      expect(await uow.read(ctx, (tx) => tx.orders.find(id(404)))).toBeNull();
      // not even the no-op update of the cart's lock: the row version is the same
      expect(await storedCart(id(304))).toEqual(before);
      expect(await outboxTypes([id(404), id(304)])).toEqual([]);
      expect(
        (await pg.query(`SELECT status, attempt_id FROM checkouts WHERE key = $1`, [id(404)])).rows,
      ).toEqual([{ status: 'STARTED', attempt_id: other }]);
      // its compensation: the stock it held goes back; the coupons are the new attempt's now
      expect(catalog.held()).toEqual([]);
      expect(pricing.couponsHeld.get(id(404))).toEqual(['SAVE5']);
    });

    it('a cart changed while PLACE waits for its lock: only what was ordered leaves it', async () => {
      const checkout = checkoutWith();
      await cartOf(id(305), [
        { skuId: SKU_A, quantity: 2 },
        { skuId: SKU_B, quantity: 1 },
      ]);
      const watcher = new Client({ connectionString: db.url });
      await watcher.connect();
      // another request holds the cart's row lock and changes its lines meanwhile
      await pg.query('BEGIN');
      try {
        await pg.query(`UPDATE carts SET lines = $2 WHERE account_id = $1`, [
          id(305),
          JSON.stringify([
            { skuId: SKU_A, quantity: 3 },
            { skuId: SKU_B, quantity: 1 },
            { skuId: SKU_C, quantity: 5 },
          ]),
        ]);
        let settled = false;
        const placing = checkout
          .execute(ctx, input(id(305), id(405)))
          .finally(() => (settled = true));
        // the checkout record is locked, the statement waits for the cart
        const deadline = Date.now() + 10_000;
        while (!(await rowLockedBy(watcher, 'checkouts', 'key', id(405))))
          if (Date.now() > deadline) throw new Error('PLACE never locked the record');
          else await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 200));
        expect(settled).toBe(false);
        await pg.query('COMMIT');
        const placedOrder = (await placing).order;
        // the order is what the checkout read; the cart keeps what came meanwhile
        expect(placedOrder.lines.map((l) => [l.skuId, l.quantity])).toEqual([
          [SKU_A, 2],
          [SKU_B, 1],
        ]);
        expect((await storedCart(id(305)))?.lines).toEqual([
          { skuId: SKU_A, quantity: 1 },
          { skuId: SKU_C, quantity: 5 },
        ]);
      } catch (e) {
        await pg.query('ROLLBACK');
        throw e;
      } finally {
        await watcher.end();
      }
    });

    describe('the statement itself', () => {
      const at = new Date('2026-11-25T10:05:00.250Z');
      const started = async (key: string, accountId: string) =>
        uow.statement(ctx, (tx) =>
          tx.checkouts.create({ ...record(key, accountId), attemptId: id(950) }),
        );
      /** The transaction's backend, seen from another connection (the one idle in a transaction). */
      const openTransaction = async () =>
        (
          await pg.query(
            `SELECT backend_xid::text AS xid FROM pg_stat_activity
              WHERE datname = current_database() AND state = 'idle in transaction'`,
          )
        ).rows as { xid: string | null }[];

      it('marks the record PLACED and answers the cart as carts.find reads it, both rows locked', async () => {
        await cartOf(id(310), [{ skuId: SKU_A, quantity: 4 }]);
        await started(id(410), id(310));
        const stored = await uow.read(ctx, (tx) => tx.carts.find({ accountId: id(310) }));
        const seen = await uow.run(ctx, async (tx) => ({
          cart: await tx.checkouts.markPlacedAndLockCart(id(410), id(950), {
            accountId: id(310),
            newId: id(610),
            now: at,
          }),
          // a transaction id: it wrote (the probe below sees one when there is one)
          open: await openTransaction(),
          recordLocked: await rowLockedBy(pg, 'checkouts', 'key', id(410)),
          cartLocked: await rowLockedBy(pg, 'carts', 'account_id', id(310)),
        }));
        expect(seen).toEqual({
          cart: stored,
          open: [{ xid: expect.any(String) }],
          recordLocked: true,
          cartLocked: true,
        });
        expect(
          (
            await pg.query(
              `SELECT status, finished_at IS NOT NULL AS finished FROM checkouts WHERE key = $1`,
              [id(410)],
            )
          ).rows,
        ).toEqual([{ status: 'PLACED', finished: true }]);
      });

      it('makes an empty cart for an account without one', async () => {
        await started(id(411), id(311));
        const cart = await uow.run(ctx, (tx) =>
          tx.checkouts.markPlacedAndLockCart(id(411), id(950), {
            accountId: id(311),
            newId: id(611),
            now: at,
          }),
        );
        expect(cart).toEqual({
          id: id(611),
          owner: { accountId: id(311) },
          lines: [],
          updatedAt: at,
        });
      });

      it('for an attempt that owns the record no more: null, and it writes and locks nothing', async () => {
        await cartOf(id(312), [{ skuId: SKU_A, quantity: 1 }]);
        await started(id(412), id(312));
        await started(id(413), id(313)); // an account without a cart
        const before = await storedCart(id(312));
        for (const [key, accountId, attemptId] of [
          [id(412), id(312), id(951)], // another attempt's
          [id(413), id(313), id(951)],
          [id(414), id(312), id(950)], // no record
        ]) {
          const seen = await uow.run(ctx, async (tx) => ({
            cart: await tx.checkouts.markPlacedAndLockCart(key, attemptId, {
              accountId,
              newId: id(612),
              now: at,
            }),
            // no transaction id: the transaction has written no row and locked none
            open: await openTransaction(),
            cartLocked: await rowLockedBy(pg, 'carts', 'account_id', id(312)),
          }));
          expect(seen).toEqual({ cart: null, open: [{ xid: null }], cartLocked: false });
        }
        expect(await storedCart(id(312))).toEqual(before);
        expect(await storedCart(id(313))).toBeUndefined();
        expect(
          (
            await pg.query(`SELECT key, status FROM checkouts WHERE key = ANY($1) ORDER BY key`, [
              [id(412), id(413)],
            ])
          ).rows,
        ).toEqual([
          { key: id(412), status: 'STARTED' },
          { key: id(413), status: 'STARTED' },
        ]);
      });

      it('answers the cart committed after its snapshot, while it waited for the record’s lock', async () => {
        await cartOf(id(314), [{ skuId: SKU_A, quantity: 1 }]);
        await started(id(415), id(314));
        const holder = new Client({ connectionString: db.url });
        await holder.connect();
        try {
          await holder.query('BEGIN');
          await holder.query(`SELECT key FROM checkouts WHERE key = $1 FOR UPDATE`, [id(415)]);
          const placing = uow.run(ctx, (tx) =>
            tx.checkouts.markPlacedAndLockCart(id(415), id(950), {
              accountId: id(314),
              newId: id(614),
              now: at,
            }),
          );
          // the statement has its snapshot and waits for the record
          const deadline = Date.now() + 10_000;
          while (
            !(
              await pg.query(
                `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              )
            ).rowCount
          )
            if (Date.now() > deadline) throw new Error('the statement never waited');
            else await new Promise((r) => setTimeout(r, 20));
          // meanwhile the cart changes and commits (it is not locked yet)
          await pg.query(`UPDATE carts SET lines = $2 WHERE account_id = $1`, [
            id(314),
            JSON.stringify([{ skuId: SKU_C, quantity: 7 }]),
          ]);
          await holder.query('COMMIT');
          expect((await placing)?.lines).toEqual([{ skuId: SKU_C, quantity: 7 }]);
        } finally {
          await holder.end();
        }
      });
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
