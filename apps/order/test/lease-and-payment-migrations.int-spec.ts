import { Client } from 'pg';
import { v4 as uuid } from 'uuid';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { createTestDatabase } from '@emporia/testing';
import { ORDER_MIGRATIONS as ALL_MIGRATIONS } from '../src/infrastructure/migrations';
import { PaymentAttempts1764000001600 } from '../src/infrastructure/migrations/1764000001600-payment-attempts';

// the migrations of that release (later ones are tested on their own)
const ORDER_MIGRATIONS = ALL_MIGRATIONS.slice(
  0,
  ALL_MIGRATIONS.indexOf(PaymentAttempts1764000001600) + 1,
);

jest.setTimeout(60_000);

/**
 * The issue-14 migrations over what the previous release left: checkouts its sweep marked FAILED
 * `CHECKOUT_ABANDONED` (a refusal for ever) can be retried, its STARTED records count from their
 * start, and of an order's duplicate open payments the newest stays open.
 */
describe('order migrations: checkout leases and one open payment per order and provider', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase('order_mig');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('turns swept checkouts into retryable ones and closes older duplicate payment attempts', async () => {
    const migrate = async (migrations: typeof ORDER_MIGRATIONS) => {
      const ds = createDataSource({ url: db.url, entities: [], migrations });
      await ds.initialize();
      try {
        return await runMigrations(ds);
      } finally {
        await ds.destroy();
      }
    };
    await migrate(ORDER_MIGRATIONS.slice(0, -2));

    const [swept, refused, started] = [uuid(), uuid(), uuid()];
    const checkout = (key: string, status: string, code: string | null) =>
      pg.query(
        `INSERT INTO checkouts (key, account_id, order_id, reservation_id, request_hash, status, error_code, created_at)
         VALUES ($1, $2, $1, $3, '{}', $4, $5, now() - interval '1 hour')`,
        [key, uuid(), uuid(), status, code],
      );
    await checkout(swept, 'FAILED', 'CHECKOUT_ABANDONED');
    await checkout(refused, 'FAILED', 'STOCK_INSUFFICIENT');
    await checkout(started, 'STARTED', null);
    const orderId = uuid();
    await pg.query(
      `INSERT INTO orders (id, account_id, status, currency, lines, subtotal_minor, discount_minor, shipping_minor,
                           total_minor, address, risk, reservation_id, payment_deadline, created_at, updated_at, version)
       VALUES ($1, $2, 'PENDING_PAYMENT', 'CNY', '[]', 100, 0, 0, 100, '{}', '{}', $3, now() + interval '1 hour',
               now(), now(), 1)`,
      [orderId, uuid(), uuid()],
    );
    const payment = (id: string, minutesAgo: number, provider = 'sandbox') =>
      pg.query(
        `INSERT INTO payments (id, order_id, provider, amount_minor, currency, status, created_at)
         VALUES ($1, $2, $3, 100, 'CNY', 'STARTED', now() - make_interval(mins => $4))`,
        [id, orderId, provider, minutesAgo],
      );
    const [oldest, older, newest, otherProvider] = [uuid(), uuid(), uuid(), uuid()];
    await payment(oldest, 30);
    await payment(older, 20);
    await payment(newest, 10);
    await payment(otherProvider, 25, 'alipay');

    expect(await migrate(ORDER_MIGRATIONS)).toEqual([
      'CheckoutLease1764000001500',
      'PaymentAttempts1764000001600',
    ]);
    const checkouts = (
      await pg.query(`SELECT key, status, error_code, attempts, heartbeat_at FROM checkouts`)
    ).rows as { key: string; status: string; attempts: number; heartbeat_at: Date | null }[];
    const byKey = new Map(checkouts.map((c) => [c.key, c]));
    expect(byKey.get(swept)).toMatchObject({ status: 'ABANDONED', attempts: 1 });
    expect(byKey.get(refused)).toMatchObject({ status: 'FAILED' });
    expect(byKey.get(started)).toMatchObject({ status: 'STARTED', heartbeat_at: null });
    const payments = new Map(
      (await pg.query(`SELECT id, status FROM payments`)).rows.map(
        (r: { id: string; status: string }) => [r.id, r.status],
      ),
    );
    expect(Object.fromEntries(payments)).toEqual({
      [oldest]: 'FAILED',
      [older]: 'FAILED',
      [newest]: 'STARTED',
      [otherProvider]: 'STARTED',
    });
    // from now on a second open attempt for the same order and provider cannot be written
    await expect(payment(uuid(), 0)).rejects.toThrow(/payments_open_attempt_key/);

    // and it can be undone (the previous release's schema again) and applied again
    const ds = createDataSource({ url: db.url, entities: [], migrations: ORDER_MIGRATIONS });
    await ds.initialize();
    try {
      await ds.undoLastMigration({ transaction: 'each' });
      await ds.undoLastMigration({ transaction: 'each' });
    } finally {
      await ds.destroy();
    }
    expect(
      (await pg.query(`SELECT status, error_code FROM checkouts WHERE key = $1`, [swept])).rows[0],
    ).toEqual({ status: 'FAILED', error_code: 'CHECKOUT_ABANDONED' });
    expect(await migrate(ORDER_MIGRATIONS)).toHaveLength(2);
  });
});
