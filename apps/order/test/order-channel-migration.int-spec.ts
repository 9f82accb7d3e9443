import { Client } from 'pg';
import { v4 as uuid } from 'uuid';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { createTestDatabase } from '@emporia/testing';
import { ORDER_MIGRATIONS as ALL_MIGRATIONS } from '../src/infrastructure/migrations';
import { OrderChannel1764000001700 } from '../src/infrastructure/migrations/1764000001700-order-channel';

// the migrations up to this one (later ones are tested on their own)
const ORDER_MIGRATIONS = ALL_MIGRATIONS.slice(
  0,
  ALL_MIGRATIONS.indexOf(OrderChannel1764000001700) + 1,
);

jest.setTimeout(60_000);

/**
 * Issue 16: orders gain their channel; those placed before have none (''), imported ones get
 * their source back from `order_imports`; the migration can be undone and applied again.
 */
describe('order migration: the order channel', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;
  const migrate = async () => {
    const ds = createDataSource({ url: db.url, entities: [], migrations: ORDER_MIGRATIONS });
    await ds.initialize();
    try {
      return await runMigrations(ds);
    } finally {
      await ds.destroy();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('order_channel_mig');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('leaves earlier orders without a channel and gives imported ones their source', async () => {
    const ds = createDataSource({
      url: db.url,
      entities: [],
      migrations: ORDER_MIGRATIONS.slice(0, -1),
    });
    await ds.initialize();
    await runMigrations(ds);
    await ds.destroy();
    const [placed, imported] = [uuid(), uuid()];
    for (const id of [placed, imported])
      await pg.query(
        `INSERT INTO orders (id, account_id, status, currency, lines, subtotal_minor, discount_minor, shipping_minor,
                             total_minor, address, risk, reservation_id, payment_deadline, created_at, updated_at, version)
         VALUES ($1, $2, 'PAID', 'CNY', '[]', 100, 0, 0, 100, '{}', '{}', $3, now(), now(), now(), 1)`,
        [id, uuid(), uuid()],
      );
    await pg.query(
      `INSERT INTO order_imports (source, external_id, order_id, created_at) VALUES ('generic-json', 'x-1', $1, now())`,
      [imported],
    );
    expect(await migrate()).toEqual(['OrderChannel1764000001700']);
    const channels = async () =>
      Object.fromEntries(
        (await pg.query(`SELECT id, channel FROM orders`)).rows.map(
          (r: { id: string; channel: string }) => [r.id, r.channel],
        ),
      );
    expect(await channels()).toEqual({ [placed]: '', [imported]: 'generic-json' });

    const again = createDataSource({ url: db.url, entities: [], migrations: ORDER_MIGRATIONS });
    await again.initialize();
    try {
      await again.undoLastMigration({ transaction: 'each' });
    } finally {
      await again.destroy();
    }
    expect(await migrate()).toEqual(['OrderChannel1764000001700']);
    expect(await channels()).toEqual({ [placed]: '', [imported]: 'generic-json' });
  });
});
