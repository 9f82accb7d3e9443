import { randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import {
  aShippingAddress,
  anHttpCheckout,
  apiClient,
  eventually,
  heavySuiteTurn,
  SERVICE_APPS,
  startPlatform,
  testEnv,
  type Api,
  type Platform,
} from '@emporia/testing';

// a turn of the machine may be waited for first (heavySuiteTurn)
jest.setTimeout(900_000);

const PASSWORD = 'a long enough password';
const SHOPPERS = 6;
const STOCK = 50;

/** The services with a gRPC server, each run twice here. */
const SERVICES = SERVICE_APPS;
/** The services a shopper's path calls over gRPC (every replica of each must get calls). */
const CALLED = ['catalog', 'search', 'user', 'order', 'marketing', 'risk'] as const;

type Samples = { labels: Record<string, string>; value: number }[];

/** Prometheus text → the samples of one metric. */
function samples(text: string, metric: string): Samples {
  const out: Samples = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const m = /^[^{]+\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    out.push({ labels, value: Number(m[2]) });
  }
  return out;
}
const sum = (s: Samples) => s.reduce((a, x) => a + x.value, 0);

/**
 * Every service as two processes, and two gateways, on the real servers: a shopper's path goes
 * through either gateway; each replica of each called service answers its share of the calls
 * (clients balance over the replicas' addresses); the consumers of a service share the
 * partitions of their group; each scheduled sweep runs on one replica only; every event is
 * published once and applied once; and when one replica stops, the other carries on alone
 * (its sweeps included).
 */
describe('replicas: every service as two processes', () => {
  let platform: Platform;
  let gateways: Api[];
  let operator: Record<string, string>;
  let skuId: string;
  let release: (() => Promise<void>) | undefined;
  const paid: { orderId: string }[] = [];

  const metricsOf = async (key: string) => {
    const p = platform.processes[key];
    if (!p) throw new Error(`no process ${key}`);
    const res = await fetch(p.readyUrl.replace(/\/(readyz|healthz)$/, '/metrics'));
    return res.text();
  };
  const db = async <T>(url: string, fn: (c: Client) => Promise<T>) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };

  /** Signs up, checks out one unit and pays, through gateway `g`. */
  const shop = async (i: number, g: Api) => {
    const email = `replica-${i}.${platform.suffix}@example.cn`;
    expect((await g('POST', '/v1/auth/register', { email, password: PASSWORD })).status).toBe(201);
    const login = await g('POST', '/v1/auth/login', { identifier: email, password: PASSWORD });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${login.body.tokens.accessToken}` };
    // shoppers of their own (address, device): risk holds many accounts shipping to one place
    const order = await anHttpCheckout(g, auth)
      .of(skuId, 1)
      .to(aShippingAddress({ recipient: `顾客${i}`, line1: `世纪大道 ${100 + i} 号` }))
      .fromDevice(`device-${i}-${platform.suffix}`)
      .send();
    expect([order.status, order.body.code]).toEqual([201, undefined]);
    const pay = await g('POST', `/v1/orders/${order.body.id}/payments`, {}, auth);
    if (pay.status !== 201) {
      const now = await g('GET', `/v1/orders/${order.body.id}`, undefined, auth);
      throw new Error(
        `pay ${i}: ${pay.status} ${JSON.stringify(pay.body)}; order placed ${JSON.stringify(order.body.status)}, now ${JSON.stringify(now.body)}`,
      );
    }
    const done = await g('POST', `/v1/payments/sandbox/pay/${pay.body.paymentId}`, {}, auth);
    expect([done.status, done.body]).toMatchObject([200, { outcome: 'PAID' }]);
    return { orderId: order.body.id as string };
  };

  beforeAll(async () => {
    release = await heavySuiteTurn('replicas');
    platform = await startPlatform({
      ...Object.fromEntries(SERVICES.map((s) => [s, true])),
      replicas: 2,
      // 22 processes share the test machine: a slow risk answer would hold an order for review
      // (RISK_UNAVAILABLE, by design), a slow saga step the gateway's deadline (504): this test
      // is about replicas, not latency
      orderEnv: { RISK_DEADLINE_MS: '5000', GRPC_DEADLINE_MS: '20000' },
      // user's sweeps (points expiry, membership) run every minute by default: every second
      // here, so both replicas have tried them before the sweep case reads their counters
      userEnv: { POINTS_EXPIRY_INTERVAL_MS: '1000' },
      gatewayEnv: { GRPC_DEADLINE_MS: '30000' },
    });
    gateways = platform.gatewayUrls.map((u) => apiClient(u));
    operator = (await platform.signIn(`ops.${platform.suffix}@example.cn`, PASSWORD, 'operator'))
      .auth;
    skuId = await platform.stockedSku(operator, { stock: STOCK, title: 'Replica teapot' });
  });

  afterAll(async () => {
    await platform?.stop();
    await release?.();
  });

  it('starts two processes of every service and of the gateway', () => {
    for (const s of [...SERVICES, 'gateway']) {
      expect(platform.processes[s]).toBeDefined();
      expect(platform.processes[`${s}#2`]).toBeDefined();
      expect(platform.processes[`${s}#2`].env).not.toEqual(platform.processes[s].env);
    }
    expect(platform.processes.order.env.CATALOG_GRPC_URL.split(',')).toHaveLength(2);
    expect(platform.services).toHaveLength(2 * (SERVICES.length + 1));
  });

  it('serves shoppers through either gateway, each replica of each called service taking calls', async () => {
    for (let i = 0; i < SHOPPERS; i++) paid.push(await shop(i, gateways[i % 2]));
    // the product reaches the index through search's consumers; either gateway finds it
    for (const g of gateways)
      await eventually(
        async () => {
          const r = await g('GET', '/v1/search/products?q=teapot&limit=5');
          return r.body.items?.some((p: { title: string }) => p.title === 'Replica teapot')
            ? true
            : undefined;
        },
        { what: 'the product searchable through the gateway', timeoutMs: 60_000 },
      );
    for (const g of gateways)
      expect((await g('GET', '/v1/search/products?q=teapot&limit=1')).status).toBe(200);

    for (const s of CALLED) {
      const calls = await Promise.all(
        [s, `${s}#2`].map(async (k) =>
          sum(samples(await metricsOf(k), 'emporia_grpc_server_handled_total')),
        ),
      );
      expect({ service: s, bothServed: calls.every((n) => n > 0) }).toEqual({
        service: s,
        bothServed: true,
      });
    }
  });

  it('an Idempotency-Key replayed on the other gateway gets the same order, not a second one', async () => {
    const email = `replica-idem.${platform.suffix}@example.cn`;
    const { auth } = await platform.signIn(email, PASSWORD);
    await gateways[0]('PUT', `/v1/cart/lines/${skuId}`, { quantity: 1 }, auth);
    const key = randomUUID();
    const first = await anHttpCheckout(gateways[0], auth).withIdempotencyKey(key).send();
    const again = await anHttpCheckout(gateways[1], auth).withIdempotencyKey(key).send();
    expect(first.status).toBe(201);
    expect([again.status, again.body.id]).toEqual([201, first.body.id]);
    const orders = await db(platform.databases.order!, async (c) =>
      Number(
        (
          await c.query(
            `SELECT count(*) AS n FROM orders WHERE account_id = (SELECT account_id FROM orders WHERE id = $1)`,
            [first.body.id],
          )
        ).rows[0].n,
      ),
    );
    expect(orders).toBe(1);
  });

  it('shares each consuming service’s partitions between its two replicas', async () => {
    const kafka = new Kafka({
      brokers: testEnv.kafkaBrokers().split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const groups = ['catalog', 'search', 'user', 'marketing', 'risk', 'analytics'].map(
        (s) => `${s}-e2e${platform.suffix}`,
      );
      await eventually(
        async () => {
          const { groups: described } = await admin.describeGroups(groups);
          const shares = described.map((g) => ({
            group: g.groupId,
            state: g.state,
            partitionsPerMember: g.members
              .map((m) => {
                const a = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
                return Object.values(a?.assignment ?? {}).reduce((n, ps) => n + ps.length, 0);
              })
              .sort(),
          }));
          return shares.every(
            (s) =>
              s.state === 'Stable' &&
              s.partitionsPerMember.length === 2 &&
              s.partitionsPerMember.every((n) => n > 0),
          )
            ? shares
            : undefined;
        },
        { what: 'two members with partitions in each consumer group', timeoutMs: 60_000 },
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('runs each scheduled sweep on one replica only; publishes each outbox row once; applies each event once', async () => {
    // sweeps: per (service, sweep), exactly one replica ran it; the other skipped (lock held)
    for (const s of ['order', 'marketing', 'catalog', 'support', 'notification', 'user']) {
      const [a, b] = await Promise.all([s, `${s}#2`].map((k) => metricsOf(k)));
      const ticks = [a, b].map((t) => samples(t, 'emporia_sweep_ticks_total'));
      const sweeps = new Set(ticks.flat().map((x) => x.labels.sweep));
      expect({ service: s, sweeps: sweeps.size > 0 }).toEqual({ service: s, sweeps: true });
      for (const sweep of sweeps) {
        const ran = ticks.map((t) =>
          sum(t.filter((x) => x.labels.sweep === sweep && x.labels.outcome === 'ran')),
        );
        const skipped = ticks.map((t) =>
          sum(t.filter((x) => x.labels.sweep === sweep && x.labels.outcome === 'skipped')),
        );
        expect({ service: s, sweep, replicasThatRan: ran.filter((n) => n > 0).length }).toEqual({
          service: s,
          sweep,
          replicasThatRan: 1,
        });
        expect(skipped[ran.findIndex((n) => n === 0)]).toBeGreaterThan(0);
      }
    }

    // every outbox row published, and published once: the replicas' relays together counted
    // exactly the rows the table holds
    for (const s of ['order', 'catalog', 'user', 'marketing'] as const) {
      await eventually(
        async () => {
          const rows = await db(platform.databases[s]!, async (c) => {
            const r = await c.query(
              `SELECT count(*) FILTER (WHERE published_at IS NOT NULL) AS published,
                      count(*) FILTER (WHERE published_at IS NULL) AS pending FROM outbox`,
            );
            return { published: Number(r.rows[0].published), pending: Number(r.rows[0].pending) };
          });
          const counted = (
            await Promise.all(
              [s, `${s}#2`].map(async (k) =>
                sum(samples(await metricsOf(k), 'emporia_outbox_published_total')),
              ),
            )
          ).reduce((x, y) => x + y, 0);
          return rows.pending === 0 && rows.published === counted ? true : undefined;
        },
        { what: `${s}: every outbox row published exactly once`, timeoutMs: 30_000 },
      );
    }

    // each order.paid applied once: stock went down by one unit per paid order (catalog
    // committed each reservation once; the Idempotency-Key case's order is placed, not paid: its
    // unit is reserved, still on hand) and each paid order earned points once (user)
    await eventually(
      async () => {
        const onHand = await db(platform.databases.catalog!, async (c) =>
          Number(
            (await c.query(`SELECT sum(on_hand) AS n FROM stock_levels WHERE sku_id = $1`, [skuId]))
              .rows[0].n,
          ),
        );
        return onHand === STOCK - paid.length ? true : undefined;
      },
      {
        what: `on hand ${STOCK} − ${paid.length} (each paid order committed once)`,
        timeoutMs: 30_000,
      },
    );
    await eventually(
      async () => {
        const earned = await db(
          platform.databases.user!,
          async (c) =>
            (
              await c.query(
                `SELECT ref, count(*)::int AS n FROM points_ledger WHERE type = 'EARN' GROUP BY ref`,
              )
            ).rows as { ref: string; n: number }[],
        );
        const perOrder = paid.map((p) => earned.filter((e) => e.ref.includes(p.orderId)));
        return perOrder.every((e) => e.length === 1) ? { earned, perOrder } : undefined;
      },
      { what: 'points earned for each paid order', timeoutMs: 30_000 },
    ).then(({ perOrder }) => expect(perOrder.map((e) => e[0].n)).toEqual(paid.map(() => 1)));
  });

  it('carries on when one replica of a service stops: calls go to the other, which takes over its sweeps', async () => {
    const before = samples(await metricsOf('order#2'), 'emporia_sweep_ticks_total');
    const ranBefore = sum(before.filter((x) => x.labels.outcome === 'ran'));
    const first = platform.services.find((p) => p.name === 'order')!;
    expect(await first.stop()).toBe(0);

    // every call now reaches the replica left, through both gateways, without an error
    for (let i = 0; i < 4; i++) paid.push(await shop(SHOPPERS + 10 + i, gateways[i % 2]));

    await eventually(
      async () => {
        const t = samples(await metricsOf('order#2'), 'emporia_sweep_ticks_total');
        const sweeps = new Set(t.map((x) => x.labels.sweep));
        const running = [...sweeps].filter((sw) =>
          t.some((x) => x.labels.sweep === sw && x.labels.outcome === 'ran' && x.value > 0),
        );
        return running.length === sweeps.size &&
          sum(t.filter((x) => x.labels.outcome === 'ran')) > ranBefore
          ? true
          : undefined;
      },
      { what: 'order#2 runs every sweep of order', timeoutMs: 30_000 },
    );
  });
});
