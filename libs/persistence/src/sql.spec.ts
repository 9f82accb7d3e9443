import { anyOf, qualified, Sql, type SqlRunner, unprefixed } from './sql';

/** A runner answering as TypeORM's Postgres driver does: rows, or [rows, count] for UPDATE/DELETE. */
function runner(answer: unknown): SqlRunner & { calls: [string, unknown[] | undefined][] } {
  const calls: [string, unknown[] | undefined][] = [];
  return {
    calls,
    query: async (sql, params) => {
      calls.push([sql, params]);
      return answer;
    },
  };
}

interface ThingRow {
  id: string;
  n: number;
}

describe('Sql', () => {
  it('passes the SQL and parameters through and answers the rows', async () => {
    const r = runner([{ id: 'a', n: 1 }]);
    const rows = await new Sql(r).rows<ThingRow>('SELECT * FROM things WHERE id = $1', ['a']);
    expect(rows).toEqual([{ id: 'a', n: 1 }]);
    expect(r.calls).toEqual([['SELECT * FROM things WHERE id = $1', ['a']]]);
  });

  it('answers the rows of an UPDATE ... RETURNING (TypeORM gives [rows, count])', async () => {
    const sql = new Sql(runner([[{ id: 'a', n: 2 }], 1]));
    expect(await sql.rows<ThingRow>('UPDATE things SET n = 2 RETURNING *')).toEqual([
      { id: 'a', n: 2 },
    ]);
  });

  it('answers the first row or null', async () => {
    expect(
      await new Sql(
        runner([
          { id: 'a', n: 1 },
          { id: 'b', n: 2 },
        ]),
      ).one<ThingRow>('q'),
    ).toEqual({ id: 'a', n: 1 });
    expect(await new Sql(runner([])).one<ThingRow>('q')).toBeNull();
  });

  it('counts the rows an UPDATE or DELETE changed, or the rows returned', async () => {
    expect(await new Sql(runner([[], 3])).affected('DELETE FROM things')).toBe(3);
    expect(
      await new Sql(runner([{ id: 'a' }, { id: 'b' }])).affected('INSERT ... RETURNING id'),
    ).toBe(2);
    expect(await new Sql(runner(undefined)).affected('INSERT')).toBe(0);
  });

  it('does not take two rows for an [rows, count] pair', async () => {
    const rows = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ];
    expect(await new Sql(runner(rows)).rows<ThingRow>('q')).toEqual(rows);
  });

  it('refuses an answer that is not rows', async () => {
    await expect(new Sql(runner(undefined)).rows('q')).rejects.toThrow(/did not answer rows/);
  });
});

describe('qualified', () => {
  it('qualifies each column of a list, across line breaks', () => {
    expect(qualified('p', 'id, order_id,\n  status')).toBe('p.id, p.order_id, p.status');
  });

  it('renames each with a prefix, and unprefixed reads that row back out of a joined one', () => {
    expect(qualified('c', 'id, lines', 'cart_')).toBe('c.id AS cart_id, c.lines AS cart_lines');
    const joined = { id: 'o1', status: 'PAID', cart_id: 'c1', cart_lines: [] };
    expect(unprefixed(joined, 'cart_')).toEqual({ id: 'c1', lines: [] });
  });
});

describe('anyOf', () => {
  it('writes one value as a scalar parameter and several (or none) as an array', () => {
    expect(anyOf('s.id', 1, 'uuid', ['a'])).toEqual(['s.id = $1::uuid', 'a']);
    expect(anyOf('s.id', 2, 'uuid', ['a', 'b'])).toEqual(['s.id = ANY($2::uuid[])', ['a', 'b']]);
    expect(anyOf('seq', 1, 'bigint', [])).toEqual(['seq = ANY($1::bigint[])', []]);
  });
});
