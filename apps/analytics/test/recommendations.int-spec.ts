import { randomUUID } from 'node:crypto';
import { ORDER_ORDER, type analyticsV1 } from '@emporia/contracts';
import { createDataSource, Sql } from '@emporia/persistence';
import { SqlRecommendationStore } from '../src/infrastructure/experiment.sql-store';
import { eventually } from '@emporia/testing';
import { experimentHarness, iso, MIN } from './experiment-harness';

jest.setTimeout(180_000);

/**
 * Recommendations on real Postgres and Kafka: paid orders and product views published to the
 * service's topics; "bought together" and "viewed together" read over gRPC and compared with
 * the cosine ranking computed here from the events themselves.
 */
describe('analytics recommendations (real Postgres + Kafka)', () => {
  const h = experimentHarness('rec');
  const { suffix, call, failure, track, placed, paid, drained, redeliver } = h;
  const { OrderPaid } = ORDER_ORDER.events;
  const now = Date.now();
  beforeAll(h.start);
  afterAll(h.stop);

  it('keeps bought-together and viewed-together exactly; duplicates change nothing', async () => {
    const [A, B, C, D] = [0, 1, 2, 3].map(() => randomUUID()).sort();
    const account = randomUUID();
    const t = now - 10 * MIN;
    // ground truth: paid orders' distinct products, and the product sets of sessions
    const orders: string[][] = [];
    const order = async (products: string[], opts: { paid: boolean; paidFirst?: boolean }) => {
      const id = randomUUID();
      if (opts.paid) orders.push([...new Set(products)]);
      if (opts.paidFirst) await paid(id, account, t);
      await placed(id, account, products);
      if (opts.paid && !opts.paidFirst) return paid(id, account, t);
      return undefined;
    };
    const o1Paid = await order([A, A, B, C], { paid: true });
    await order([A, B], { paid: true, paidFirst: true });
    await order([A, D], { paid: false });
    await order([B, D], { paid: true });
    const sessions: Record<string, Set<string>> = {};
    const view = (sessionId: string, productId: string, anonymousId = 'viewer') => {
      const key = sessionId || `${anonymousId}:day`;
      (sessions[key] ??= new Set()).add(productId);
      return track({ type: 'product_view', sessionId, anonymousId, productId, occurredAt: iso(t) });
    };
    await view('s1', A);
    const dupView = await view('s1', B);
    await view('s1', A);
    await view('s1', C);
    await view('s2', A);
    await view('s2', D);
    await view('', B, `anon-${suffix}`);
    await view('', D, `anon-${suffix}`);

    const expected = (groups: string[][], p: string, limit = 10) => {
      const n = (q: string) => groups.filter((g) => g.includes(q)).length;
      return [A, B, C, D]
        .filter((q) => q !== p)
        .map((q) => ({
          productId: q,
          together: groups.filter((g) => g.includes(p) && g.includes(q)).length,
        }))
        .filter((x) => x.together > 0)
        .map((x) => ({ ...x, score: x.together / Math.sqrt(n(p) * n(x.productId)) }))
        .sort(
          (x, y) =>
            y.score - x.score || y.together - x.together || (x.productId < y.productId ? -1 : 1),
        )
        .slice(0, limit);
    };
    const get = (kind: string, productId: string, limit = 0) =>
      call<analyticsV1.GetRecommendationsResponse>('getRecommendations', {
        productId,
        kind,
        limit,
      });
    const settled = async (kind: string, groups: () => string[][]) => {
      for (const p of [A, B, C, D])
        await eventually(
          async () => {
            const got = (await get(kind, p)).items;
            return JSON.stringify(got) === JSON.stringify(expected(groups(), p)) ? got : undefined;
          },
          { timeoutMs: 60_000, what: `${kind} of ${p}` },
        );
    };
    await settled('bought_together', () => orders);
    await settled('viewed_together', () => Object.values(sessions).map((s) => [...s]));
    // e.g. bought together with B: A (2 of B's 3 orders, A's 2) then C and D (1 each) by id
    expect((await get('bought_together', B)).items).toEqual([
      { productId: A, together: 2, score: 2 / Math.sqrt(6) },
      ...[C, D].map((q) => ({ productId: q, together: 1, score: 1 / Math.sqrt(3) })),
    ]);
    expect((await get('bought_together', B, 1)).items).toHaveLength(1);

    // duplicates: the same events again, and the same order paid under a new event id
    await redeliver(o1Paid!);
    await redeliver(dupView);
    // an order paid but never seen placed has no products: it counts for nothing
    await paid(randomUUID(), account, t);
    const o1Id = OrderPaid.codec.decode(o1Paid!.value).orderId;
    await paid(o1Id, account, t);
    // a last order shows everything before it was processed
    await order([C, D], { paid: true });
    await drained();
    await settled('bought_together', () => orders);
    await settled('viewed_together', () => Object.values(sessions).map((s) => [...s]));

    expect(
      await failure(call('getRecommendations', { productId: A, kind: 'similar', limit: 5 })),
    ).toMatchObject({ code: 'RECOMMENDATION_KIND_INVALID', details: { field: 'kind' } });
    expect(
      await failure(
        call('getRecommendations', { productId: A, kind: 'bought_together', limit: 51 }),
      ),
    ).toMatchObject({ code: 'LIMIT_INVALID' });
  });

  it('prunes the product sets of old view sessions, in batches, keeping newer ones', async () => {
    const ds = createDataSource({ url: h.dbUrl(), entities: [], migrations: [] });
    await ds.initialize();
    try {
      const sql = new Sql(ds);
      await sql.run(
        `INSERT INTO recommendation_session_products (session_key, product_id, day)
         SELECT 'old:' || g, gen_random_uuid(), DATE '2020-01-01' FROM generate_series(1, 5) g
         UNION ALL SELECT 'new:1', gen_random_uuid(), DATE '2020-01-02'`,
      );
      const count = async (prefix: string) =>
        (
          await sql.one<{ n: number }>(
            `SELECT count(*)::int AS n FROM recommendation_session_products
              WHERE session_key LIKE $1 || '%'`,
            [prefix],
          )
        )?.n;
      const store = new SqlRecommendationStore(ds);
      expect(await store.pruneViewSessions('2020-01-02', 2)).toBe(5);
      expect(await count('old:')).toBe(0);
      expect(await count('new:')).toBe(1);
      expect(await store.pruneViewSessions('2020-01-02', 2)).toBe(0);
    } finally {
      await ds.destroy();
    }
  });
});
