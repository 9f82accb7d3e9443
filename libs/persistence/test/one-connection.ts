import { Client, type Pool, type PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src';
import { createTestDatabase } from '@emporia/testing';

/**
 * A data source of one pooled connection on a test database of its own (every statement runs
 * on the connection counted), a second client to look from outside its transactions, and the
 * round trips the pooled connection has had (its ReadyForQuery answers: one per round trip).
 * Registers its own beforeAll/afterAll; read the fields inside tests.
 */
export function oneConnection(name: string, preparedStatements: boolean, table: string) {
  const it = {
    ds: undefined as unknown as DataSource,
    other: undefined as unknown as Client,
    pooled: undefined as unknown as PoolClient,
    roundTrips: 0,
    /** Round trips `fn` took. */
    async count(fn: () => Promise<unknown>): Promise<number> {
      const before = it.roundTrips;
      await fn();
      return it.roundTrips - before;
    },
    /** Column `a` of `things` row `id`, as the other client sees it (committed only). */
    async seenByOther(id: number): Promise<unknown[]> {
      return (await it.other.query('SELECT a FROM things WHERE id = $1', [id])).rows.map(
        (r: { a: unknown }) => r.a,
      );
    },
  };
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase(name);
    it.ds = await createDataSource({
      url: db.url,
      entities: [],
      migrations: [],
      poolSize: 1,
      preparedStatements,
    }).initialize();
    await it.ds.query(`CREATE TABLE things (${table})`);
    const pool = (it.ds.driver as unknown as { master: Pool }).master;
    it.pooled = await pool.connect();
    (it.pooled as unknown as { connection: NodeJS.EventEmitter }).connection.on(
      'readyForQuery',
      () => it.roundTrips++,
    );
    it.pooled.release();
    it.other = new Client({ connectionString: db.url });
    await it.other.connect();
  });
  afterAll(async () => {
    await it.other?.end();
    await it.ds?.destroy();
    await db?.drop();
  });
  return it;
}
