import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { anyOf, createDataSource, Sql } from '../src';
import { createTestDatabase } from '@emporia/testing';

/** The statements the one connection of `ds`'s pool has prepared (its own session's view). */
async function prepared(ds: DataSource): Promise<string[]> {
  const rows = await new Sql(ds).rows<{ statement: string }>(
    'SELECT statement FROM pg_prepared_statements ORDER BY statement',
  );
  return rows.map((r) => r.statement);
}

describe('named prepared statements (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  const explicit = 'SELECT id, a FROM things WHERE id = $1';
  const star = 'SELECT * FROM things WHERE id = $1';

  beforeAll(async () => {
    db = await createTestDatabase('prepared');
    // one connection, so every statement below meets the statements prepared before it
    ds = await createDataSource({
      url: db.url,
      entities: [],
      migrations: [],
      poolSize: 1,
    }).initialize();
    await ds.query('CREATE TABLE things (id int PRIMARY KEY, a text NOT NULL)');
    await ds.query(`INSERT INTO things VALUES (1, 'one'), (2, 'two')`);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('prepares a statement from its second use and answers the same rows', async () => {
    const sql = new Sql(ds);
    expect(await sql.rows(explicit, [1])).toEqual([{ id: 1, a: 'one' }]);
    expect(await prepared(ds)).not.toContain(explicit);
    expect(await sql.rows(explicit, [2])).toEqual([{ id: 2, a: 'two' }]);
    expect(await prepared(ds)).toContain(explicit);
    // in a transaction too (TypeORM's query runner on the same pooled client), and writes
    await ds.transaction(async (m) => {
      const tx = new Sql(m);
      expect(await tx.rows(explicit, [1])).toEqual([{ id: 1, a: 'one' }]);
      for (const n of [3, 4])
        await tx.run('INSERT INTO things (id, a) VALUES ($1, $2)', [n, `n${n}`]);
      expect(await tx.affected('UPDATE things SET a = $2 WHERE id = $1', [3, 'three'])).toBe(1);
      expect(await tx.affected('UPDATE things SET a = $2 WHERE id = $1', [9, 'none'])).toBe(0);
    });
    expect(await sql.rows(explicit, [3])).toEqual([{ id: 3, a: 'three' }]);
    expect(await prepared(ds)).toEqual(
      expect.arrayContaining([
        'INSERT INTO things (id, a) VALUES ($1, $2)',
        'UPDATE things SET a = $2 WHERE id = $1',
      ]),
    );
  });

  it('never prepares a `*` statement, so a migration adding a column breaks nothing', async () => {
    const sql = new Sql(ds);
    for (let i = 0; i < 3; i++) await sql.rows(star, [1]);
    expect(await prepared(ds)).not.toContain(star);
    await ds.query('ALTER TABLE things ADD COLUMN b int');
    expect(await sql.rows(star, [1])).toEqual([{ id: 1, a: 'one', b: null }]);
    // the statement prepared before the migration still runs: its columns are spelt out
    expect(await sql.rows(explicit, [1])).toEqual([{ id: 1, a: 'one' }]);
  });

  it('(why) Postgres refuses a prepared `*` statement once a column is added', async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const q = { name: 'star', text: 'SELECT * FROM things WHERE id = $1', values: [1] };
      await c.query(q);
      await c.query('ALTER TABLE things ADD COLUMN c int');
      await expect(c.query(q)).rejects.toMatchObject({
        code: '0A000',
        message: 'cached plan must not change result type',
      });
    } finally {
      await c.end();
    }
  });

  it('a statement that fails to prepare fails each time, and the connection goes on', async () => {
    const sql = new Sql(ds);
    const bad = 'SELECT nope FROM things WHERE id = $1';
    for (let i = 0; i < 3; i++)
      await expect(sql.rows(bad, [1])).rejects.toThrow(/column "nope" does not exist/);
    expect(await sql.rows(explicit, [2])).toEqual([{ id: 2, a: 'two' }]);
  });

  it('a lookup of one value written with anyOf runs on a cached generic plan; `= ANY` over an array is planned at every execution', async () => {
    const sql = new Sql(ds);
    const lookup = (ids: number[]) => {
      const [where, param] = anyOf('id', 1, 'int', ids);
      return sql.rows(`SELECT id, a FROM things WHERE ${where}`, [param]);
    };
    // the same rows either way
    expect(await lookup([1])).toEqual([{ id: 1, a: 'one' }]);
    expect(await lookup([1, 2])).toEqual([
      { id: 1, a: 'one' },
      { id: 2, a: 'two' },
    ]);
    expect(await lookup([])).toEqual([]);
    for (let i = 0; i < 10; i++) {
      await lookup([1]);
      await lookup([2, 1]);
    }
    const plans = await sql.rows<{
      statement: string;
      generic_plans: number;
      custom_plans: number;
    }>(
      `SELECT statement, generic_plans::int, custom_plans::int FROM pg_prepared_statements
        WHERE statement LIKE 'SELECT id, a FROM things WHERE id = %::int%' ORDER BY statement`,
    );
    // (named from the second use) one value: planned for its value five times, then the cached
    // generic plan for the other five
    expect(plans[0]).toEqual({
      statement: 'SELECT id, a FROM things WHERE id = $1::int',
      generic_plans: 5,
      custom_plans: 5,
    });
    // (why) an array: Postgres's generic plan counts ten values, so it plans every execution
    expect(plans[1]).toMatchObject({
      statement: 'SELECT id, a FROM things WHERE id = ANY($1::int[])',
      generic_plans: 0,
    });
    expect(plans[1].custom_plans).toBeGreaterThanOrEqual(10);
  });

  it('prepares nothing with preparedStatements: false', async () => {
    const off = await createDataSource({
      url: db.url,
      entities: [],
      migrations: [],
      poolSize: 1,
      preparedStatements: false,
    }).initialize();
    try {
      for (let i = 0; i < 3; i++) await new Sql(off).rows(explicit, [1]);
      expect(await prepared(off)).toEqual([]);
    } finally {
      await off.destroy();
    }
  });
});
