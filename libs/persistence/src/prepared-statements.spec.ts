import { preparable, StatementNames } from './prepared-statements';

describe('preparable', () => {
  it.each([
    'SELECT s.id, s.code FROM skus s WHERE s.id = ANY($1::uuid[])',
    'select id from carts where account_id = $1',
    'INSERT INTO outbox (event_id, topic) VALUES ($1, $2)',
    'INSERT INTO payments (id) VALUES ($1) RETURNING id, created_at',
    'UPDATE carts SET lines = $2 WHERE id = $1',
    'DELETE FROM carts WHERE id = $1',
    'WITH made AS (INSERT INTO t (id) VALUES ($1) RETURNING id) SELECT id FROM made',
    '  -- a comment first\n  SELECT count(*)::int AS n FROM orders WHERE status = $1',
    '/* hint */ SELECT price * quantity AS total, 2 * 3 AS six FROM lines WHERE id = $1',
    'SELECT json_agg(l.*) FROM lines l WHERE l.order_id = $1',
    'VALUES ($1::int)',
  ])('names %s', (text) => {
    expect(preparable(text)).toBe(true);
  });

  it.each([
    // the result type follows the table: a migration adding a column would break the statement
    'SELECT * FROM carts WHERE account_id = $1',
    'select distinct * from t where a = $1',
    'SELECT p.*, o.account_id AS owner_account_id FROM payments p JOIN orders o ON o.id = p.order_id',
    'SELECT o.id, p.* FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.id = $1',
    'UPDATE orders SET reservation_synced = true WHERE id = $1 RETURNING *',
    'INSERT INTO carts (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET id = carts.id RETURNING *',
    // not planned: nothing to cache
    'START TRANSACTION',
    'COMMIT',
    'SET lock_timeout = 1000',
    'CREATE TABLE t (id uuid)',
    'LOCK TABLE t IN SHARE MODE',
  ])('leaves %s unnamed', (text) => {
    expect(preparable(text)).toBe(false);
  });
});

describe('StatementNames', () => {
  const text = 'SELECT id FROM carts WHERE account_id = $1';

  it('names a statement from its second use, the same name every time', () => {
    const names = new StatementNames();
    expect(names.nameOf(text)).toBeUndefined();
    const name = names.nameOf(text);
    expect(name).toMatch(/^s_[0-9a-f]{24}$/);
    expect(names.nameOf(text)).toBe(name);
    expect(new StatementNames({ minUses: 1 }).nameOf(text)).toBe(name);
  });

  it('gives different texts different names', () => {
    const names = new StatementNames({ minUses: 1 });
    expect(names.nameOf(text)).not.toBe(names.nameOf(`${text} AND id = $2`));
  });

  it('never names a statement whose result type can change', () => {
    const names = new StatementNames({ minUses: 1 });
    for (let i = 0; i < 3; i++)
      expect(names.nameOf('SELECT * FROM carts WHERE id = $1')).toBeUndefined();
    expect(names.preparedCount()).toBe(0);
  });

  it('names at most `max` texts; later ones run unnamed', () => {
    const names = new StatementNames({ max: 3, minUses: 1 });
    const texts = [0, 1, 2, 3, 4].map((i) => `SELECT id FROM t${i} WHERE id = $1`);
    const got = texts.map((t) => names.nameOf(t));
    expect(got.slice(0, 3).every(Boolean)).toBe(true);
    expect(got.slice(3)).toEqual([undefined, undefined]);
    expect(names.preparedCount()).toBe(3);
    // the first three keep their names
    expect(names.nameOf(texts[0])).toBe(got[0]);
  });

  it('forgets the oldest text waiting for its second use past the bound', () => {
    const names = new StatementNames({ max: 2 });
    names.nameOf('SELECT a FROM t WHERE id = $1');
    names.nameOf('SELECT b FROM t WHERE id = $1');
    names.nameOf('SELECT c FROM t WHERE id = $1'); // pushes out `a`
    expect(names.nameOf('SELECT a FROM t WHERE id = $1')).toBeUndefined(); // a first use again
    expect(names.nameOf('SELECT c FROM t WHERE id = $1')).toBeDefined();
  });
});
