import { Client } from 'pg';
import {
  heavySuiteTurn,
  brokenAnswers,
  chaosInvariantInputs,
  checkInvariants,
  describeInvariants,
  settledInvariants,
  setUpChaosShopOn,
  startMixedLoad,
  startOwnToxiproxy,
  startPlatform,
  startServiceProcess,
  testEnv,
  type ChaosShop,
  type MixedLoad,
  type OwnToxiproxy,
  type Platform,
  type ToxiproxyProxy,
} from '@emporia/testing';

// a turn of the machine may be waited for first (heavySuiteTurn)
jest.setTimeout(900_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 20, the short chaos suite (the long one is `npm run chaos`, bench/chaos): a steady mixed
 * load through the gateway (product pages, search, carts, checkouts paid through the sandbox,
 * flash-sale attempts, sign-ins) and two faults one after the other — order killed (SIGKILL) and
 * started again after a pause, then order's way to its Postgres through Toxiproxy given latency,
 * resets and a cut — with the platform's promises checked from the databases after each. The
 * shared servers are never stopped: the faults are the test's own (its own processes, its own
 * proxy).
 */
describe('chaos: two faults under a mixed load, nothing lost', () => {
  let platform: Platform;
  let release: (() => Promise<void>) | undefined;
  let toxiproxy: OwnToxiproxy;
  let orderPg: ToxiproxyProxy;
  let shop: ChaosShop;
  const loads: MixedLoad[] = [];
  const inputs = () => chaosInvariantInputs(platform, shop, loads, testEnv.elasticsearchUrl());
  /** The load paused (relays and consumers catch up), the invariants settled, reported. */
  const expectInvariants = async (after: string) => {
    await loads[loads.length - 1].stop();
    const { invariants, settledAfterMs } = await settledInvariants(inputs(), 45_000);
    process.stdout.write(
      `after ${after} (settled in ${settledAfterMs} ms):\n${describeInvariants(invariants)}\n`,
    );
    expect(invariants.filter((i) => !i.held)).toEqual([]);
  };
  const load = () => {
    const l = startMixedLoad(shop, { concurrency: 6 });
    loads.push(l);
    return l;
  };

  beforeAll(async () => {
    release = await heavySuiteTurn('chaos');
    toxiproxy = await startOwnToxiproxy();
    const pg = new URL(testEnv.postgresUrl());
    orderPg = await toxiproxy.proxy('order-postgres', `${pg.hostname}:${pg.port}`);
    platform = await startPlatform({
      catalog: true,
      search: true,
      user: true,
      order: true,
      marketing: true,
      // each shopper has a client address of their own (X-Forwarded-For), as behind a load balancer
      gatewayEnv: { TRUST_PROXY: 'true' },
      // sign-ins are part of the load, not what is tested: cheap hashes on a shared 2-core machine
      userEnv: { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' },
    });
    shop = await setUpChaosShopOn(platform, {
      skus: 4,
      shoppers: 24,
      flashStock: 60,
    });
  });

  afterAll(async () => {
    for (const l of loads) await l.stop().catch(() => undefined);
    await platform?.stop();
    await toxiproxy?.close();
    await release?.();
  });

  it('order killed (SIGKILL) under load and started again: every 201 is one order, nothing paid twice, stock, points, outbox, flash sale and index agree', async () => {
    const l = load();
    await sleep(8000);
    const old = platform.services.find((s) => s.name === 'order')!;
    const killedAt = Date.now();
    old.process.kill('SIGKILL');
    await new Promise((r) => old.process.once('exit', r));
    await sleep(4000);
    // started again with its Postgres through the proxy the second fault uses
    const env = platform.processes.order;
    const restarted = await startServiceProcess(
      'order',
      { ...env.env, ORDER_DATABASE_URL: orderPg.url(env.env.ORDER_DATABASE_URL) },
      env.readyUrl,
    );
    platform.services.splice(platform.services.indexOf(old), 1, restarted);
    const readyAt = Date.now();
    await sleep(6000);
    const during = l.window(killedAt, readyAt);
    const baseline = l.throughput(killedAt - 6000, killedAt);
    process.stdout.write(
      `kill -9 order: ${during.requests} requests in ${readyAt - killedAt} ms, errors ${JSON.stringify(during.errors)}; ` +
        `baseline ${baseline.toFixed(1)}/s, recovered after ${l.recoveredAfter(readyAt, baseline)} s; ` +
        `2xx per second from 3 s before: ${l.seconds
          .filter((s) => s.at >= killedAt - 3000)
          .map((s) => s.ok)
          .join(' ')}\n`,
    );
    // the load did run, and checkouts went through before and after
    expect(l.checkouts.size).toBeGreaterThan(0);
    expect(l.window(readyAt, Date.now()).ok).toBeGreaterThan(0);
    // unavailable, never broken: no 500 or 502 while order was gone
    expect(brokenAnswers(during)).toEqual({});
    await expectInvariants('kill -9 of order');
  });

  it("order's way to Postgres slowed, reset and cut (Toxiproxy), then restored: the same promises hold", async () => {
    const l = load();
    await sleep(5000);
    const from = Date.now();
    await orderPg.addToxic('slow', { type: 'latency', attributes: { latency: 300, jitter: 100 } });
    await sleep(4000);
    await orderPg.clearToxics();
    await orderPg.addToxic('resets', { type: 'reset_peer', attributes: { timeout: 500 } }, 0.5);
    await sleep(3000);
    await orderPg.clearToxics();
    await orderPg.cut();
    await sleep(4000);
    await orderPg.restore();
    const restoredAt = Date.now();
    await sleep(8000);
    const during = l.window(from, restoredAt);
    const baseline = l.throughput(from - 5000, from);
    process.stdout.write(
      `order↔Postgres latency/resets/cut: ${during.requests} requests in ${restoredAt - from} ms, errors ${JSON.stringify(during.errors)}; ` +
        `recovered after ${l.recoveredAfter(restoredAt, baseline)} s\n`,
    );
    expect(l.window(restoredAt, Date.now()).ok).toBeGreaterThan(0);
    expect(brokenAnswers(during)).toEqual({});
    await expectInvariants('the Toxiproxy faults between order and Postgres');
  });

  it('the checker is not blind: a duplicated capture, an unpublished event and an answered order that does not exist are each reported', async () => {
    const inp = inputs();
    // order stopped first: its relay would publish the planted event at once
    await platform.services.find((s) => s.name === 'order')!.stop();
    const order = new Client({ connectionString: platform.databases.order! });
    await order.connect();
    try {
      const [p] = (await order.query(`SELECT * FROM payments WHERE status = 'SUCCEEDED' LIMIT 1`))
        .rows;
      expect(p).toBeDefined();
      await order.query(
        `INSERT INTO payments (id, order_id, provider, provider_txn_id, amount_minor, currency, status, created_at)
         VALUES (gen_random_uuid(), $1, $2, NULL, $3, $4, 'SUCCEEDED', now())`,
        [p.order_id, p.provider, p.amount_minor, p.currency],
      );
      await order.query(
        `INSERT INTO outbox (event_id, topic, message_key, event_type, payload, occurred_at)
         VALUES (gen_random_uuid(), 'chaos.lost', 'k', 'chaos.Lost', '\\x00', now())`,
      );
    } finally {
      await order.end();
    }
    inp.checkouts.set(
      '00000000-0000-4000-8000-000000000000',
      '00000000-0000-4000-8000-000000000001',
    );
    const verdicts = await checkInvariants(inp);
    const failed = verdicts.filter((v) => !v.held).map((v) => v.name);
    expect(failed).toEqual(
      expect.arrayContaining([
        'every checkout answered 201 is exactly one order',
        'no payment is captured twice',
        "every paid order's payment is captured once",
        'every outbox row is published',
      ]),
    );
  });
});
