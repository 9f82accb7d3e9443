import { Sql } from '../src';
import { oneConnection } from './one-connection';

/**
 * A write held until the transaction's COMMIT (`Sql.runAtCommit`, prepared-statements.ts
 * `holdUntilCommit`): sent with the next statement or with the COMMIT, in one round trip. Proven
 * on a real Postgres: the round trips counted on the pooled connection, and the transaction's
 * meaning unchanged (all or nothing, read-your-writes, a failing held write, a rollback).
 */
describe.each([
  ['named statements', true],
  ['unnamed statements (DB_PREPARED_STATEMENTS=false)', false],
])('a write held until COMMIT, %s (real Postgres)', (_label, preparedStatements) => {
  const c = oneConnection(
    'held',
    preparedStatements,
    'id int PRIMARY KEY, a text NOT NULL, at timestamptz, doc jsonb, raw bytea',
  );
  const count = c.count;
  const seenByOther = c.seenByOther;
  const INSERT = 'INSERT INTO things (id, a) VALUES ($1, $2)';

  it('a held write travels with the COMMIT: two statements and a held write take two round trips (were four)', async () => {
    let read: unknown[] = [];
    const trips = await count(() =>
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        read = await tx.rows('SELECT count(*)::int AS n FROM things WHERE id > $1', [0]);
        await tx.runAtCommit(INSERT, [1, 'one']);
        // held, not sent: nobody sees it, not even a read outside the transaction
        expect(await seenByOther(1)).toEqual([]);
      }),
    );
    expect(trips).toBe(2); // BEGIN + SELECT, the INSERT + COMMIT
    expect(read).toEqual([{ n: 0 }]);
    expect(await seenByOther(1)).toEqual(['one']);
  });

  it('a transaction of held writes alone is one round trip: BEGIN, the writes and COMMIT', async () => {
    const trips = await count(() =>
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.runAtCommit(INSERT, [2, 'two']);
        await tx.runAtCommit('UPDATE things SET a = $2 WHERE id = $1', [2, 'two, changed']);
      }),
    );
    expect(trips).toBe(1);
    expect(await seenByOther(2)).toEqual(['two, changed']);
  });

  it('the next statement carries what is held and sees it (read-your-writes), in one round trip', async () => {
    let read: unknown[] = [];
    const trips = await count(() =>
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.runAtCommit(INSERT, [3, 'three']);
        read = await tx.rows('SELECT a FROM things WHERE id = $1', [3]);
      }),
    );
    expect(trips).toBe(2); // BEGIN + the INSERT + SELECT, COMMIT
    expect(read).toEqual([{ a: 'three' }]);
    expect(await seenByOther(3)).toEqual(['three']);
  });

  it('a held write that fails fails the COMMIT with its own error, and the whole transaction rolls back', async () => {
    await expect(
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.run(INSERT, [4, 'four']);
        await tx.runAtCommit(INSERT, [1, 'duplicate']);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await seenByOther(4)).toEqual([]);
    // the connection goes on, outside any transaction
    expect(await new Sql(c.ds).rows('SELECT a FROM things WHERE id = $1', [1])).toEqual([
      { a: 'one' },
    ]);
  });

  it('a held write that fails fails the statement that carried it, with its own error', async () => {
    await expect(
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.runAtCommit(INSERT, [1, 'duplicate']);
        await tx.rows('SELECT a FROM things WHERE id = $1', [1]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.run(INSERT, [5, 'five']);
        await tx.runAtCommit(INSERT, [1, 'duplicate']);
        await tx.rows('SELECT a FROM things WHERE id = $1', [5]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await seenByOther(5)).toEqual([]);
  });

  it('before a statement without parameters (LOCK TABLE), held writes go ahead on their own; a failure there is reported by it and by the COMMIT', async () => {
    await c.ds.transaction(async (m) => {
      const tx = new Sql(m);
      await tx.runAtCommit(INSERT, [6, 'six']);
      await tx.run('LOCK TABLE things IN SHARE ROW EXCLUSIVE MODE');
      expect(await tx.rows('SELECT a FROM things WHERE id = $1', [6])).toEqual([{ a: 'six' }]);
    });
    expect(await seenByOther(6)).toEqual(['six']);
    await expect(
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.runAtCommit(INSERT, [7, 'seven']);
        await tx.runAtCommit(INSERT, [1, 'duplicate']);
        await tx.run('LOCK TABLE things IN SHARE ROW EXCLUSIVE MODE');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    // swallowing the statement's failure does not commit what failed
    await expect(
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.runAtCommit(INSERT, [8, 'eight']);
        await tx.runAtCommit(INSERT, [1, 'duplicate']);
        await tx.run('LOCK TABLE things IN SHARE ROW EXCLUSIVE MODE').catch(() => undefined);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    // a statement carrying later held writes reports the first failure too
    await expect(
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.runAtCommit(INSERT, [1, 'duplicate']);
        await tx.run('LOCK TABLE things IN SHARE ROW EXCLUSIVE MODE').catch(() => undefined);
        await tx.runAtCommit(INSERT, [18, 'eighteen']);
        await tx.rows('SELECT a FROM things WHERE id = $1', [18]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    // nor a COMMIT sent before the failure is answered (the statement not awaited)
    await expect(
      c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.runAtCommit(INSERT, [9, 'nine']);
        await tx.runAtCommit(INSERT, [1, 'duplicate']);
        void tx.run('LOCK TABLE things IN SHARE ROW EXCLUSIVE MODE').catch(() => undefined);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    for (const id of [7, 8, 9, 18]) expect(await seenByOther(id)).toEqual([]);
  });

  it('a rollback drops what is held: never sent', async () => {
    const trips = await count(() =>
      expect(
        c.ds.transaction(async (m) => {
          const tx = new Sql(m);
          // a text not seen before: unnamed, so it goes with BEGIN
          await tx.run('UPDATE things SET a = $2 WHERE id = $1 AND a <> $2', [1, 'changed']);
          await tx.runAtCommit(INSERT, [19, 'nineteen']);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind'),
    );
    expect(trips).toBe(2); // BEGIN + UPDATE, ROLLBACK
    expect(await seenByOther(19)).toEqual([]);
    expect(await seenByOther(1)).toEqual(['one']);
    // nothing held is left for the next transaction
    await c.ds.transaction((m) => new Sql(m).run(INSERT, [10, 'ten']));
    expect(await seenByOther(19)).toEqual([]);
  });

  it('outside a transaction a held write runs at once', async () => {
    await new Sql(c.ds).runAtCommit(INSERT, [11, 'eleven']);
    expect(await seenByOther(11)).toEqual(['eleven']);
  });

  it('refuses to hold what returns rows', async () => {
    await expect(
      c.ds.transaction((m) => new Sql(m).runAtCommit(`${INSERT} RETURNING id`, [12, 'twelve'])),
    ).rejects.toThrow(/without RETURNING/);
    await expect(
      c.ds.transaction((m) => new Sql(m).runAtCommit('SELECT a FROM things WHERE id = $1', [1])),
    ).rejects.toThrow(/without RETURNING/);
    expect(await seenByOther(12)).toEqual([]);
  });

  it('sends values as pg would (time, JSON, bytes, null), and the same text held twice in one transaction', async () => {
    const at = new Date('2026-12-06T10:00:00.000Z');
    const sql = 'INSERT INTO things (id, a, at, doc, raw) VALUES ($1, $2, $3, $4, $5)';
    for (let round = 0; round < 3; round++)
      await c.ds.transaction(async (m) => {
        const tx = new Sql(m);
        await tx.runAtCommit(sql, [
          20 + 2 * round,
          'x',
          at,
          { k: [1, 'é'] },
          Buffer.from([0, 255]),
        ]);
        await tx.runAtCommit(sql, [21 + 2 * round, 'y', null, null, null]);
      });
    const rows = (
      await c.other.query('SELECT id, a, at, doc, raw FROM things WHERE id >= 20 ORDER BY id')
    ).rows;
    expect(rows).toHaveLength(6);
    expect(rows[4]).toEqual({
      id: 24,
      a: 'x',
      at,
      doc: { k: [1, 'é'] },
      raw: Buffer.from([0, 255]),
    });
    expect(rows[5]).toEqual({ id: 25, a: 'y', at: null, doc: null, raw: null });
    const parsed = Object.values(
      (c.pooled as unknown as { connection: { parsedStatements: Record<string, string> } })
        .connection.parsedStatements,
    );
    // named once it has been seen twice, and parsed by the connection that runs it
    expect(parsed.includes(sql)).toBe(preparedStatements);
  });

  it('a held write that cannot be parsed fails the same way each time', async () => {
    const bad = 'INSERT INTO no_such_table (id) VALUES ($1)';
    for (let i = 0; i < 4; i++)
      await expect(
        c.ds.transaction(async (m) => {
          const tx = new Sql(m);
          await tx.run(INSERT, [30 + i, 'thirty']);
          await tx.runAtCommit(bad, [1]);
        }),
      ).rejects.toThrow(/relation "no_such_table" does not exist/);
    expect(await seenByOther(30)).toEqual([]);
    await c.ds.transaction((m) => new Sql(m).runAtCommit(INSERT, [34, 'thirty-four']));
    expect(await seenByOther(34)).toEqual(['thirty-four']);
  });
});
