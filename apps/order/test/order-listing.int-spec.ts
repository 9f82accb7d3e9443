import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { createTestDatabase } from '@emporia/testing';
import type { OrderCursor, OrderEvents, OrderListFilter } from '../src/application/ports';
import type { Order } from '../src/domain/order';
import type { OrderStatus } from '../src/domain/order-state-machine';
import { ORDER_MIGRATIONS as ALL_MIGRATIONS } from '../src/infrastructure/migrations';
import { OrderListingIndexes1764000001800 } from '../src/infrastructure/migrations/1764000001800-order-listing-indexes';
import { SqlOrderRepository } from '../src/infrastructure/sql-order.repositories';
import { anOrder } from '../src/testing';

jest.setTimeout(120_000);

// the migrations up to the one that adds the listing indexes (later ones are tested on their own)
const ORDER_MIGRATIONS = ALL_MIGRATIONS.slice(
  0,
  ALL_MIGRATIONS.indexOf(OrderListingIndexes1764000001800) + 1,
);

const ALICE = '0190a000-0000-7000-8000-0000000000a1';
const BOB = '0190a000-0000-7000-8000-0000000000b0';

const noEvents: OrderEvents = {
  placed: () => undefined,
  paid: () => undefined,
  cancelled: () => undefined,
  shipped: () => undefined,
  tracked: () => undefined,
  refunded: () => undefined,
  returnSettled: () => undefined,
};

type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * Order listings on real Postgres: an account's (a customer's own) or every account's
 * (operators), by status, newest first, in keyset pages; each walks an index in its order (the
 * migration that adds the operators' two), so a page reads a page's rows and never sorts or scans
 * the table.
 */
describe('order listings (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let pg: Client;
  /** The statements the repository sent, with their parameters. */
  let sent: [string, unknown[]][] = [];
  let repo: SqlOrderRepository;

  const indexes = async () =>
    (
      await pg.query(
        `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i
           JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
          WHERE t.relname = 'orders' AND c.relname IN ('orders_created_idx', 'orders_status_created_idx')
          ORDER BY 1`,
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase('order_listing');
    ds = createDataSource({ url: db.url, entities: [], migrations: ORDER_MIGRATIONS });
    await ds.initialize();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const runner = {
      query: (sql: string, params: unknown[]) => {
        sent.push([sql, params]);
        return ds.query(sql, params);
      },
    } as unknown as EntityManager;
    repo = new SqlOrderRepository(runner, noEvents);
    expect((await runMigrations(ds)).at(-1)).toBe('OrderListingIndexes1764000001800');
  });

  afterAll(async () => {
    await pg?.end();
    await ds?.destroy();
    await db?.drop();
  });

  it('builds the two indexes outside a transaction, valid; undone and applied again', async () => {
    expect(await indexes()).toEqual([
      { name: 'orders_created_idx', valid: true },
      { name: 'orders_status_created_idx', valid: true },
    ]);
    await ds.undoLastMigration({ transaction: 'each' });
    expect(await indexes()).toEqual([]);
    // a build that failed half-way left an invalid index: the retry replaces it
    await pg.query(`CREATE INDEX orders_created_idx ON orders (id)`);
    await pg.query(
      `UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'orders_created_idx'::regclass`,
    );
    expect(await runMigrations(ds)).toEqual(['OrderListingIndexes1764000001800']);
    expect(await indexes()).toEqual([
      { name: 'orders_created_idx', valid: true },
      { name: 'orders_status_created_idx', valid: true },
    ]);
    const def = await pg.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_created_idx'`,
    );
    expect(def.rows[0].indexdef).toContain('(created_at DESC, id DESC)');
  });

  describe('with orders of two accounts', () => {
    const placed: Order[] = [];
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));
    const place = async (id: number, accountId: string, status: OrderStatus, minute: number) => {
      const order = anOrder()
        .withId(`0190b000-0000-7000-8000-${id.toString(16).padStart(12, '0')}`)
        .of(accountId)
        .placedAt(at(minute))
        .with({
          status,
          reservationId: `0190d000-0000-7000-8000-${id.toString(16).padStart(12, '0')}`,
        })
        .build();
      await repo.add({ order, baseVersion: null, events: [] }, []);
      placed.push(order);
    };
    /** What a listing should answer: the same filter over the orders placed, newest first. */
    const expected = (f: OrderListFilter, after: OrderCursor | null = null) =>
      placed
        .filter(
          (o) =>
            (!f.accountId || o.accountId === f.accountId) && (!f.status || o.status === f.status),
        )
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
        .filter(
          (o) =>
            !after ||
            o.createdAt.getTime() < after.createdAt.getTime() ||
            (o.createdAt.getTime() === after.createdAt.getTime() && o.id < after.id),
        )
        .map((o) => o.id);
    const ids = async (f: OrderListFilter, limit = 100, after: OrderCursor | null = null) =>
      (await repo.list(f, limit, after)).map((o) => o.id);

    beforeAll(async () => {
      await place(1, ALICE, 'PENDING_PAYMENT', 1);
      await place(2, BOB, 'PENDING_REVIEW', 2);
      await place(3, ALICE, 'PENDING_REVIEW', 3);
      await place(4, BOB, 'PAID', 4);
      // two at the same instant: the id breaks the tie
      await place(5, ALICE, 'PENDING_REVIEW', 5);
      await place(6, BOB, 'PENDING_REVIEW', 5);
      await place(7, ALICE, 'CANCELLED', 6);
    });

    it("an account's listing holds that account's orders only, by status too", async () => {
      for (const accountId of [ALICE, BOB])
        for (const status of [null, 'PENDING_REVIEW', 'PAID', 'REFUNDED'] as const) {
          const f = { accountId, status };
          expect({ f, ids: await ids(f) }).toEqual({ f, ids: expected(f) });
        }
      expect(await ids({ accountId: ALICE, status: null })).not.toContain(placed[1].id);
    });

    it("every account's orders, newest first (ties by id), and those held for review", async () => {
      const all = { accountId: null, status: null };
      expect(await ids(all)).toEqual(expected(all));
      expect(await ids(all)).toHaveLength(7);
      const held = { accountId: null, status: 'PENDING_REVIEW' as const };
      expect(await ids(held)).toEqual([placed[5].id, placed[4].id, placed[2].id, placed[1].id]);
    });

    it('pages from a cursor without repeating or skipping an order, ties included', async () => {
      for (const f of [
        { accountId: null, status: null },
        { accountId: null, status: 'PENDING_REVIEW' as const },
        { accountId: ALICE, status: null },
      ]) {
        const seen: string[] = [];
        let after: OrderCursor | null = null;
        for (;;) {
          const page = await repo.list(f, 2, after);
          seen.push(...page.map((o) => o.id));
          if (page.length < 2) break;
          const last = page[page.length - 1];
          after = { createdAt: last.createdAt, id: last.id };
        }
        expect({ f, seen }).toEqual({ f, seen: expected(f) });
      }
    });
  });

  it('reads a page, not the table: an index in order for every listing', async () => {
    // 30,000 orders of 300 accounts, mostly completed or cancelled, 1 % refunded, a few held for
    // review (risk's holds are decided or expire within a day), with statistics up to date
    await pg.query(
      `INSERT INTO orders (id, account_id, status, currency, lines, subtotal_minor, discount_minor, shipping_minor,
                           total_minor, address, risk, reservation_id, payment_deadline, created_at, updated_at, version)
       SELECT gen_random_uuid(),
              ('0190c000-0000-7000-8000-' || lpad(to_hex(n % 300), 12, '0'))::uuid,
              CASE WHEN n % 1000 = 0 THEN 'PENDING_REVIEW' WHEN n % 97 = 0 THEN 'REFUNDED'
                   WHEN n % 7 = 0 THEN 'CANCELLED' ELSE 'COMPLETED' END,
              'CNY', '[]', 100, 0, 0, 100, '{}', '{}', gen_random_uuid(),
              timestamptz '2026-01-01' + n * interval '1 minute' + interval '1 day',
              timestamptz '2026-01-01' + n * interval '1 minute', now(), 1
         FROM generate_series(1, 30000) AS n`,
    );
    await pg.query('ANALYZE orders');
    const pages = Number(
      (await pg.query(`SELECT relpages FROM pg_class WHERE relname = 'orders'`)).rows[0].relpages,
    );
    expect(pages).toBeGreaterThan(500);
    const someone = '0190c000-0000-7000-8000-000000000007';
    const cursor = { createdAt: new Date('2026-01-10T00:00:00Z'), id: ALICE };
    const byTime = 'orders_created_idx';
    const byStatus = 'orders_status_created_idx';
    // [filter, cursor, the indexes one of which must serve it in order (none: any, or a sort of
    // the few rows it finds)]
    const cases: [OrderListFilter, OrderCursor | null, string[]][] = [
      [{ accountId: null, status: null }, null, [byTime]],
      [{ accountId: null, status: null }, cursor, [byTime]],
      // a rare status: its own index; one most orders have: either
      [{ accountId: null, status: 'REFUNDED' }, null, [byStatus]],
      [{ accountId: null, status: 'REFUNDED' }, cursor, [byStatus]],
      [{ accountId: null, status: 'COMPLETED' }, null, [byTime, byStatus]],
      [{ accountId: null, status: 'CANCELLED' }, cursor, [byTime, byStatus]],
      [{ accountId: null, status: 'PENDING_REVIEW' }, null, []],
      [{ accountId: null, status: 'PENDING_REVIEW' }, cursor, []],
      [{ accountId: someone, status: null }, null, ['orders_account_idx']],
      [{ accountId: someone, status: null }, cursor, ['orders_account_idx']],
      [{ accountId: someone, status: 'COMPLETED' }, null, []],
    ];
    for (const [filter, after, served] of cases) {
      sent = [];
      expect((await repo.list(filter, 21, after)).length).toBeGreaterThan(0);
      const [sql, params] = sent[0];
      const explained = await pg.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
      const root = (
        explained.rows[0]['QUERY PLAN'] as {
          Plan: PlanNode & { 'Shared Hit Blocks': number; 'Shared Read Blocks': number };
        }[]
      )[0].Plan;
      const all = nodes(root);
      const report = {
        filter,
        after: Boolean(after),
        scans: all.map((n) => n['Node Type']).filter((t) => t === 'Seq Scan'),
        sorted: all.some((n) => n['Node Type'].endsWith('Sort')),
        indexes: all.flatMap((n) => n['Index Name'] ?? []),
        blocks: root['Shared Hit Blocks'] + root['Shared Read Blocks'],
      };
      // a page of 21 reads tens of blocks of a table of hundreds
      const inOrder = report.indexes.length === 1 && served.includes(report.indexes[0]);
      expect({ ...report, fewBlocks: report.blocks <= 60, inOrder }).toEqual({
        ...report,
        scans: [],
        fewBlocks: true,
        ...(served.length ? { sorted: false, inOrder: true } : { inOrder }),
      });
    }
  });
});
