import { Sql } from '../src';
import { oneConnection } from './one-connection';

/**
 * Transactions open without a round trip of their own: `BEGIN` travels with the transaction's
 * first statement (prepared-statements.ts, `BeginThen`). Proven on a real Postgres: the round
 * trips counted on the pooled connection, and the transaction's meaning unchanged (isolation,
 * commit, rollback, a failing first statement).
 */
describe.each([
  ['named statements', true],
  ['unnamed statements (DB_PREPARED_STATEMENTS=false)', false],
])('BEGIN sent with the first statement, %s (real Postgres)', (_label, preparedStatements) => {
  const c = oneConnection('begin', preparedStatements, 'id int PRIMARY KEY, a text NOT NULL');
  const count = c.count;
  const seenByOther = c.seenByOther;

  it('a transaction of two statements takes three round trips (was four), and its rows and counts are as before', async () => {
    let selected: unknown[] = [];
    let inserted: unknown[] = [];
    const trips = await count(() =>
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        selected = await tx.rows('SELECT count(*)::int AS n FROM things WHERE id > $1', [0]);
        inserted = await tx.rows('INSERT INTO things (id, a) VALUES ($1, $2) RETURNING id', [
          1,
          'one',
        ]);
      }),
    );
    expect(trips).toBe(3); // BEGIN + SELECT, INSERT, COMMIT
    expect(selected).toEqual([{ n: 0 }]);
    expect(inserted).toEqual([{ id: 1 }]);
    expect(await seenByOther(1)).toEqual(['one']);
  });

  it('an UPDATE sent with BEGIN says how many rows it changed, as TypeORM answers it', async () => {
    const changed = await c.ds.transaction((m) =>
      new Sql(m).affected('UPDATE things SET a = $2 WHERE id >= $1', [1, 'one']),
    );
    expect(changed).toBe(1);
  });

  it('what the transaction writes is not seen by others until it commits', async () => {
    await c.ds.transaction(async (m) => {
      await new Sql(m).run('INSERT INTO things (id, a) VALUES ($1, $2)', [2, 'two']);
      expect(await seenByOther(2)).toEqual([]);
    });
    expect(await seenByOther(2)).toEqual(['two']);
  });

  it('a failure after the first statement rolls the transaction back, its first statement too', async () => {
    await expect(
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.run('INSERT INTO things (id, a) VALUES ($1, $2)', [3, 'three']);
        await tx.run('INSERT INTO things (id, a) VALUES ($1, $2)', [1, 'duplicate']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await seenByOther(3)).toEqual([]);
    // the connection goes on, outside any transaction
    expect(await new Sql(c.ds).rows('SELECT a FROM things WHERE id = $1', [1])).toEqual([
      { a: 'one' },
    ]);
  });

  it('a first statement that fails (sent with BEGIN) fails the transaction, which rolls back; the connection goes on', async () => {
    await expect(
      c.ds.transaction(async (m) => {
        await new Sql(m).run('INSERT INTO things (id, a) VALUES ($1, $2)', [1, 'again']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      c.ds.transaction(async (m) => {
        await new Sql(m).run('INSERT INTO no_such_table (id) VALUES ($1)', [1]);
      }),
    ).rejects.toMatchObject({ code: '42P01' });
    await c.ds.transaction(async (m) => {
      await new Sql(m).run('INSERT INTO things (id, a) VALUES ($1, $2)', [4, 'four']);
    });
    expect(await seenByOther(4)).toEqual(['four']);
  });

  it('a statement that cannot be parsed, first in its transaction, fails the same way each time', async () => {
    const bad = 'SELECT nope FROM things WHERE id = $1';
    for (let i = 0; i < 4; i++)
      await expect(c.ds.transaction((m) => new Sql(m).rows(bad, [1]))).rejects.toThrow(
        /column "nope" does not exist/,
      );
    expect(
      await c.ds.transaction((m) => new Sql(m).rows('SELECT a FROM things WHERE id = $1', [1])),
    ).toEqual([{ a: 'one' }]);
  });

  it('a first statement with an empty parameter list (LOCK TABLE) runs inside the transaction, which stays whole', async () => {
    await c.ds.transaction(async (m) => {
      const tx = new Sql(m);
      // Postgres refuses LOCK TABLE outside a transaction block
      await tx.run('LOCK TABLE things IN SHARE ROW EXCLUSIVE MODE');
      await tx.run('INSERT INTO things (id, a) VALUES ($1, $2)', [7, 'seven']);
    });
    expect(await seenByOther(7)).toEqual(['seven']);
    await expect(
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.run("DELETE FROM things WHERE a = 'seven'");
        await tx.run('INSERT INTO things (id, a) VALUES ($1, $2)', [1, 'duplicate']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    // the DELETE went with the failed transaction
    expect(await seenByOther(7)).toEqual(['seven']);
  });

  it('a transaction that sends no statement sends nothing', async () => {
    expect(await count(() => c.ds.transaction(async () => undefined))).toBe(0);
    await expect(
      c.ds.transaction(async () => {
        throw new Error('nothing sent');
      }),
    ).rejects.toThrow('nothing sent');
    expect(await seenByOther(1)).toEqual(['one']);
  });

  it('a first statement without parameters (perhaps several in one text) goes after a BEGIN of its own', async () => {
    const trips = await count(() =>
      c.ds.transaction(async (m) => {
        await m.query(
          "INSERT INTO things (id, a) VALUES (5, 'five'); INSERT INTO things (id, a) VALUES (6, 'six')",
        );
      }),
    );
    expect(trips).toBe(3); // BEGIN, the two statements, COMMIT
    expect([...(await seenByOther(5)), ...(await seenByOther(6))]).toEqual(['five', 'six']);
  });
});
