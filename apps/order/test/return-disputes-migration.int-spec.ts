import { Client } from 'pg';
import { v4 as uuid } from 'uuid';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { createTestDatabase } from '@emporia/testing';
import { ORDER_MIGRATIONS as ALL_MIGRATIONS } from '../src/infrastructure/migrations';
import { ReturnDisputes1764000001900 } from '../src/infrastructure/migrations/1764000001900-return-disputes';

// the migrations up to this one (later ones are tested on their own)
const ORDER_MIGRATIONS = ALL_MIGRATIONS.slice(
  0,
  ALL_MIGRATIONS.indexOf(ReturnDisputes1764000001900) + 1,
);

jest.setTimeout(60_000);

/**
 * Issue 24: returns gain `items_mismatch` (false for those before), the DISPUTED status and the
 * REFUND_ONLY kind; undone only once no return needs them, and applied again.
 */
describe('order migration: return disputes and refund-only returns', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;
  const withSource = async <T>(work: (ds: ReturnType<typeof createDataSource>) => Promise<T>) => {
    const ds = createDataSource({ url: db.url, entities: [], migrations: ORDER_MIGRATIONS });
    await ds.initialize();
    try {
      return await work(ds);
    } finally {
      await ds.destroy();
    }
  };
  const undo = () => withSource((ds) => ds.undoLastMigration({ transaction: 'each' }));
  const orderId = uuid();
  const insertReturn = (id: string, status: string, kind = 'REFUND') =>
    pg.query(
      `INSERT INTO returns (id, order_id, account_id, lines, reason, status, note, restocked, created_at, updated_at, kind)
       VALUES ($1, $2, $3, '[{"skuId":"s","quantity":1}]', 'r', $4, NULL, false, now(), now(), $5)`,
      [id, orderId, uuid(), status, kind],
    );
  const rows = async () =>
    Object.fromEntries(
      (await pg.query(`SELECT * FROM returns ORDER BY id`)).rows.map(
        (r: { id: string; status: string; kind: string; items_mismatch?: boolean }) => [
          r.id,
          [r.status, r.kind, r.items_mismatch],
        ],
      ),
    );

  beforeAll(async () => {
    db = await createTestDatabase('order_return_disputes_mig');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('keeps earlier returns as they were, accepts the new status and kind, and is undone once none needs them', async () => {
    const before = createDataSource({
      url: db.url,
      entities: [],
      migrations: ORDER_MIGRATIONS.slice(0, -1),
    });
    await before.initialize();
    await runMigrations(before);
    await before.destroy();
    await pg.query(
      `INSERT INTO orders (id, account_id, status, currency, lines, subtotal_minor, discount_minor, shipping_minor,
                           total_minor, address, risk, reservation_id, payment_deadline, created_at, updated_at, version)
       VALUES ($1, $2, 'DELIVERED', 'CNY', '[]', 100, 0, 0, 100, '{}', '{}', $3, now(), now(), now(), 1)`,
      [orderId, uuid(), uuid()],
    );
    const [old, disputed, refundOnly] = [
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
      '00000000-0000-4000-8000-000000000003',
    ];
    await insertReturn(old, 'REFUNDED', 'EXCHANGE');
    // the previous release refuses the new values
    await expect(insertReturn(disputed, 'DISPUTED')).rejects.toThrow(/returns_status_check/);

    expect(await withSource(runMigrations)).toEqual(['ReturnDisputes1764000001900']);
    expect(await rows()).toEqual({ [old]: ['REFUNDED', 'EXCHANGE', false] });
    await insertReturn(disputed, 'DISPUTED');
    await pg.query(`UPDATE returns SET items_mismatch = true WHERE id = $1`, [disputed]);
    await insertReturn(refundOnly, 'RECEIVED', 'REFUND_ONLY');
    await expect(insertReturn(uuid(), 'LOST')).rejects.toThrow(/returns_status_check/);
    await expect(insertReturn(uuid(), 'REFUNDED', 'GIFT')).rejects.toThrow(/returns_kind_check/);

    // a dispute waiting for an operator, or a refund-only return before its refund: refused
    await expect(undo()).rejects.toThrow(/2 returns are DISPUTED or refund-only/);
    expect(Object.keys(await rows())).toHaveLength(3);
    await pg.query(`UPDATE returns SET status = 'REJECTED' WHERE id = $1`, [disputed]);
    await pg.query(`UPDATE returns SET status = 'REFUNDED' WHERE id = $1`, [refundOnly]);
    await undo();
    // settled refund-only returns are plain refunds (nothing restocked) to the previous release
    expect(await rows()).toEqual({
      [old]: ['REFUNDED', 'EXCHANGE', undefined],
      [disputed]: ['REJECTED', 'REFUND', undefined],
      [refundOnly]: ['REFUNDED', 'REFUND', undefined],
    });
    expect(await withSource(runMigrations)).toEqual(['ReturnDisputes1764000001900']);
    expect((await rows())[disputed]).toEqual(['REJECTED', 'REFUND', false]);
  });
});
