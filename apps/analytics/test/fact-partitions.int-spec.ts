import { randomUUID } from 'node:crypto';
import { createDataSource, runMigrations, Sql } from '@emporia/persistence';
import { createTestDatabase } from '@emporia/testing';
import type { DataSource } from 'typeorm';
import { addDays } from '../src/domain/days';
import { dayOf, type BehaviourFact } from '../src/domain/facts';
import { behaviourProjection } from '../src/infrastructure/behaviour.projection';
import { ANALYTICS_MIGRATIONS } from '../src/infrastructure/migrations';
import type { ProjectionContext } from '../src/infrastructure/projection';
import { KnownPartitions, SqlFactPartitions } from '../src/infrastructure/sql-fact-partitions';

jest.setTimeout(60_000);

const fact = (day: string, anonymousId: string): BehaviourFact => ({
  kind: 'behaviour',
  eventId: randomUUID(),
  type: 'product_view',
  anonymousId,
  accountId: '',
  sessionId: '',
  occurredAt: new Date(`${day}T04:00:00Z`),
  receivedAt: new Date(),
  day,
  channel: 'web',
  utm: { source: '', medium: '', campaign: '', term: '', content: '' },
  referrer: '',
  device: { type: '', os: '', browser: '' },
  page: '',
  productId: randomUUID(),
  skuId: '',
  quantity: 0,
  query: '',
  resultCount: 0,
  bannerId: '',
  experimentKey: '',
  variant: '',
});

const noContext: ProjectionContext = {
  publish: () => undefined,
  topic: (n) => n,
  timeZone: 'Asia/Shanghai',
};

/** behaviour_events' day partitions on real Postgres: made on demand under concurrency, dropped. */
describe('fact partitions (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  const partitions = async () =>
    (
      await new Sql(ds).rows<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'behaviour_events' ORDER BY 1`,
      )
    ).map((r) => r.name);

  beforeAll(async () => {
    db = await createTestDatabase('analytics_parts');
    ds = await createDataSource({
      url: db.url,
      entities: [],
      migrations: ANALYTICS_MIGRATIONS,
      poolSize: 12,
    }).initialize();
    await runMigrations(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('stores events of a new day arriving at once from many transactions, one partition made', async () => {
    const day = '2026-06-15';
    // each "replica" has its own memo: none knows the partition exists
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        ds.transaction((m) =>
          behaviourProjection(new KnownPartitions()).apply(
            new Sql(m),
            fact(day, `v${i}`),
            noContext,
          ),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await partitions()).toEqual(['behaviour_events_20260615']);
    const stored = await new Sql(ds).one<{ n: string }>(
      `SELECT count(*) AS n FROM behaviour_events_20260615`,
    );
    expect(Number(stored?.n)).toBe(10);
  });

  it('makes a range of days at once from several sweepers, and drops only the days before the cut', async () => {
    const today = dayOf(new Date(), 'Asia/Shanghai');
    const days = [-2, -1, 0, 1, 2].map((n) => addDays(today, n));
    const made = await Promise.all(
      Array.from({ length: 4 }, () =>
        new SqlFactPartitions(ds, new KnownPartitions()).ensure(days),
      ),
    );
    // every day made exactly once over the sweepers
    expect(made.reduce((a, b) => a + b, 0)).toBe(5);
    const names = days.map((d) => `behaviour_events_${d.replace(/-/g, '')}`);
    expect(await partitions()).toEqual(['behaviour_events_20260615', ...names].sort());

    await ds.transaction((m) =>
      behaviourProjection(new KnownPartitions()).apply(
        new Sql(m),
        fact(days[0], 'keep'),
        noContext,
      ),
    );
    const dropped = await new SqlFactPartitions(ds, new KnownPartitions()).dropBefore(days[1]);
    expect(dropped).toEqual(['2026-06-15', days[0]].sort());
    expect(await partitions()).toEqual(names.slice(1));
    // a day dropped is made again on demand if (unusually) an event for it still comes
    await ds.transaction((m) =>
      behaviourProjection(new KnownPartitions()).apply(
        new Sql(m),
        fact(days[0], 'again'),
        noContext,
      ),
    );
    expect(await partitions()).toEqual(names);
  });
});
