import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import { v4 as uuid } from 'uuid';
import { catalogV1, orderV1, PROTO_FILES } from '@emporia/contracts';
import { fromGrpcError } from '@emporia/platform';
import {
  aCatalogSku,
  aCheckout,
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  runServiceCommand,
  startServiceProcess,
  startTcpProxy,
  testEnv,
  uniqueSuffix,
  type ServiceProcess,
  type TcpProxy,
  grpcFailure,
} from '@emporia/testing';

jest.setTimeout(240_000);

/** Short enough to wait out in a test; the defaults are 15 s and 2 minutes. */
const LEASE_SECONDS = 5;
const ABANDON_AFTER_SECONDS = 20;

/**
 * Issue 14, item 2: a checkout cut off mid-saga — the order process killed with SIGKILL, or the
 * catalog or Postgres failing so that the compensation fails too — is finished by a retry with the
 * same key: one order, the stock held once, nothing left STARTED for ever. The order service runs
 * as a process (so it can be killed) behind TCP proxies in front of the catalog's gRPC port and
 * of Postgres, which the tests cut; the shared servers keep running.
 */
describe('order: a checkout cut off by a crash or an outage is finished by a retry with its key', () => {
  const suffix = uniqueSuffix();
  const dbs: { url: string; drop: () => Promise<void> }[] = [];
  let catalog: ServiceProcess;
  let order: ServiceProcess;
  let orderEnv: Record<string, string>;
  let orderReady: string;
  let catalogProxy: TcpProxy;
  let pgProxy: TcpProxy;
  let orderDbUrl: string;
  let client: ReturnType<typeof grpcTestClient>;
  let catalogClient: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  let catalogPg: Client;
  let categoryId: string;

  const call = <T>(method: string, req: unknown, c = client) => c.call<T>(method, req);
  const failure = grpcFailure;
  const address = {
    recipient: '王五',
    phone: '+8613700137000',
    country: 'CN',
    province: '上海市',
    city: '上海市',
    district: '徐汇区',
    line1: '漕溪北路 1 号',
  };
  const sku = (stock: number) =>
    aCatalogSku(catalogClient, categoryId).named('R').pricedAt(4200).stocked(stock).create();
  const stock = async (skuId: string) =>
    (
      await catalogPg.query(
        `SELECT COALESCE(sum(on_hand), 0)::int AS on_hand, COALESCE(sum(reserved), 0)::int AS reserved FROM stock_levels WHERE sku_id = $1`,
        [skuId],
      )
    ).rows[0] as { on_hand: number; reserved: number };
  const reservationStatus = async (id: string) =>
    (
      (await catalogPg.query(`SELECT status FROM stock_reservations WHERE id = $1`, [id]))
        .rows[0] as { status: string } | undefined
    )?.status;
  /** Fills the cart (the order service checks the SKU in the catalog: after an outage, once its channel is back). */
  const fill = (accountId: string, skuId: string, quantity: number) =>
    eventually(
      () =>
        call('setCartLine', { owner: { accountId }, skuId, quantity }).then(
          () => true,
          (e: unknown) => {
            if (fromGrpcError(e).status === status.UNAVAILABLE) return undefined;
            throw e;
          },
        ),
      { what: 'the cart filled' },
    );
  const checkout = (accountId: string, key: string) =>
    call<orderV1.CheckoutResponse>(
      'checkout',
      aCheckout(accountId).withKey(key).to(address).build(),
    );
  const record = async (key: string) =>
    (await pg.query(`SELECT * FROM checkouts WHERE key = $1`, [key])).rows[0] as
      { status: string; reservation_id: string; attempts?: number } | undefined;
  const ordersOf = async (key: string) =>
    Number((await pg.query(`SELECT count(*) FROM orders WHERE id = $1`, [key])).rows[0].count);

  /** Retries the checkout with its key while it is in flight or a dependency is still coming back. */
  const retryUntilPlaced = async (accountId: string, key: string) => {
    const seen: string[] = [];
    const placed = await eventually(
      async () => {
        try {
          return (await checkout(accountId, key)).order!;
        } catch (e) {
          const err = fromGrpcError(e);
          seen.push(err.code);
          if (
            err.code === 'CHECKOUT_IN_PROGRESS' ||
            err.status === status.UNAVAILABLE ||
            err.status === status.INTERNAL
          )
            return undefined;
          throw new Error(`the retry was refused: ${err.code} ${err.message}`);
        }
      },
      { timeoutMs: 30_000, intervalMs: 300, what: `checkout ${key} placed by a retry` },
    ).catch((e: Error) => {
      throw new Error(`${e.message}; answers: ${[...new Set(seen)].join(', ')}`);
    });
    return { order: placed, seen };
  };

  const startOrder = async () => {
    order = await startServiceProcess('order', orderEnv, orderReady);
  };
  const killOrder = async () => {
    const exited = new Promise((resolve) => order.process.once('exit', resolve));
    order.process.kill('SIGKILL');
    await exited;
  };
  /** Holds the account's cart row: the saga's last step (placing the order) waits for it. */
  const holdCart = async (accountId: string) => {
    const lock = new Client({ connectionString: orderDbUrl });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query(`SELECT id FROM carts WHERE account_id = $1 FOR UPDATE`, [accountId]);
    return async () => {
      await lock.query('ROLLBACK');
      await lock.end();
    };
  };

  beforeAll(async () => {
    const catalogDb = await createTestDatabase('order_rec_catalog');
    const orderDb = await createTestDatabase('order_rec_order');
    dbs.push(catalogDb, orderDb);
    orderDbUrl = orderDb.url;
    const kafka = {
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `ordrec${suffix}.`,
      BIND_HOST: '127.0.0.1',
    };
    const [catalogGrpc, catalogHttp] = [await freePort(), await freePort()];
    const catalogEnv = {
      ...kafka,
      CATALOG_DATABASE_URL: catalogDb.url,
      CATALOG_CONSUMER_GROUP: `catalog-${suffix}`,
    };
    await runServiceCommand('catalog', catalogEnv, ['migrate']);
    catalog = await startServiceProcess(
      'catalog',
      {
        ...catalogEnv,
        CATALOG_GRPC_PORT: String(catalogGrpc),
        CATALOG_HTTP_PORT: String(catalogHttp),
      },
      `http://127.0.0.1:${catalogHttp}/readyz`,
    );
    catalogProxy = await startTcpProxy({ host: '127.0.0.1', port: catalogGrpc });
    const db = new URL(orderDb.url);
    pgProxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
    await runServiceCommand('order', { ...kafka, ORDER_DATABASE_URL: orderDb.url }, ['migrate']);
    const [orderGrpc, orderHttp] = [await freePort(), await freePort()];
    orderEnv = {
      ...kafka,
      ORDER_DATABASE_URL: pgProxy.url(orderDb.url),
      ORDER_GRPC_PORT: String(orderGrpc),
      ORDER_HTTP_PORT: String(orderHttp),
      ORDER_CONSUMER_GROUP: `order-rec-${suffix}`,
      CATALOG_GRPC_URL: `127.0.0.1:${catalogProxy.port}`,
      GRPC_DEADLINE_MS: '3000',
      CHECKOUT_LEASE_SECONDS: String(LEASE_SECONDS),
      CHECKOUT_ABANDON_AFTER_SECONDS: String(ABANDON_AFTER_SECONDS),
      ORDER_SWEEP_INTERVAL_MS: '200',
    };
    orderReady = `http://127.0.0.1:${orderHttp}/readyz`;
    await startOrder();
    client = grpcTestClient(
      PROTO_FILES.order,
      'emporia.order.v1.OrderService',
      `127.0.0.1:${orderGrpc}`,
    );
    catalogClient = grpcTestClient(
      PROTO_FILES.catalog,
      'emporia.catalog.v1.CatalogService',
      `127.0.0.1:${catalogGrpc}`,
    );
    pg = new Client({ connectionString: orderDb.url });
    await pg.connect();
    catalogPg = new Client({ connectionString: catalogDb.url });
    await catalogPg.connect();
    categoryId = (
      await call<catalogV1.CreateCategoryResponse>(
        'createCategory',
        { name: 'Recovery', slug: `recovery-${suffix}` },
        catalogClient,
      )
    ).category!.id;
  });

  // a test that failed halfway leaves no outage and no dead process to the next one
  afterEach(async () => {
    await catalogProxy.restore();
    await pgProxy.restore();
    if (order.process.exitCode !== null || order.process.signalCode !== null) await startOrder();
  });

  afterAll(async () => {
    for (const c of [client, catalogClient]) c?.close();
    await pg?.end();
    await catalogPg?.end();
    await order?.stop();
    await catalog?.stop();
    await catalogProxy?.close();
    await pgProxy?.close();
    for (const d of dbs) await d.drop();
  });

  it('kill -9 while the saga waits on a black-holed catalog: a retry meanwhile is told it is in flight (ABORTED); after the restart a retry places the order once', async () => {
    const skuId = await sku(3);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const key = uuid();
    await catalogProxy.cut('blackhole');
    const first = failure(checkout(accountId, key));
    await eventually(async () => ((await record(key))?.status === 'STARTED' ? true : undefined));
    // the attempt is alive (stuck on the catalog): the same key is in flight, 409 at the gateway
    expect(await failure(checkout(accountId, key))).toMatchObject({
      status: status.ABORTED,
      code: 'CHECKOUT_IN_PROGRESS',
    });
    await killOrder();
    expect((await first).status).toBe(status.UNAVAILABLE);
    await catalogProxy.restore();
    await startOrder();

    const { order: placed } = await retryUntilPlaced(accountId, key);
    expect(placed.id).toBe(key);
    expect(placed.status).toBe('PENDING_PAYMENT');
    expect((await checkout(accountId, key)).order!.id).toBe(key);
    expect(await ordersOf(key)).toBe(1);
    expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 2 });
    expect(await record(key)).toMatchObject({ status: 'PLACED', attempts: 2 });
  });

  it('kill -9 after the stock was reserved: two retries at once release the dead hold, reserve once and place one order', async () => {
    const skuId = await sku(3);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const key = uuid();
    const release = await holdCart(accountId);
    const first = failure(checkout(accountId, key));
    await eventually(async () => ((await stock(skuId)).reserved === 2 ? true : undefined));
    const dead = (await record(key))!;
    await killOrder();
    await release();
    expect((await first).status).toBe(status.UNAVAILABLE);
    // what the crash left: a STARTED checkout holding the stock, and no order
    expect(dead.status).toBe('STARTED');
    expect(await ordersOf(key)).toBe(0);
    expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 2 });
    await startOrder();

    const both = await Promise.all([
      retryUntilPlaced(accountId, key),
      retryUntilPlaced(accountId, key),
    ]);
    expect(both.map((r) => r.order.id)).toEqual([key, key]);
    expect(await ordersOf(key)).toBe(1);
    expect(await reservationStatus(dead.reservation_id)).toBe('RELEASED');
    expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 2 });
    const placed = (await record(key))!;
    expect(placed.status).toBe('PLACED');
    expect(placed.reservation_id).not.toBe(dead.reservation_id);
    expect(await reservationStatus(placed.reservation_id)).toBe('ACTIVE');
  });

  it('Postgres cut while placing, so the compensation fails too: the checkout stays STARTED, and once Postgres is back a retry places it once', async () => {
    const skuId = await sku(3);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const key = uuid();
    const release = await holdCart(accountId);
    const first = failure(checkout(accountId, key));
    await eventually(async () => ((await stock(skuId)).reserved === 2 ? true : undefined));
    const failed = (await record(key))!;
    await pgProxy.cut('refuse');
    await first;
    await release();
    expect((await record(key))?.status).toBe('STARTED');
    await pgProxy.restore();

    const { order: placed } = await retryUntilPlaced(accountId, key);
    expect(placed.id).toBe(key);
    expect(await ordersOf(key)).toBe(1);
    expect(await reservationStatus(failed.reservation_id)).toBe('RELEASED');
    expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 2 });
  });

  it('the catalog black-holed before reserving: no step to undo, the checkout is ABANDONED at once; a retry takes it over and places the order once the catalog is back', async () => {
    const skuId = await sku(3);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const key = uuid();
    await catalogProxy.cut('blackhole');
    try {
      expect(await failure(checkout(accountId, key))).toMatchObject({
        status: status.UNAVAILABLE,
        code: 'CATALOG_UNAVAILABLE',
      });
      // the saga's steps (issue 15): the catalog failed reading the cart's SKUs, before the
      // reserve step started, so there was nothing to undo (and no compensation to fail)
      expect(await record(key)).toMatchObject({
        status: 'ABANDONED',
        error_code: 'CATALOG_UNAVAILABLE',
      });
      // at once, the catalog still down: not "in flight" for ever — the retry takes the checkout
      // over, and needs the catalog to release what an earlier attempt may hold
      expect(await failure(checkout(accountId, key))).toMatchObject({
        status: status.UNAVAILABLE,
        code: 'CATALOG_UNAVAILABLE',
      });
    } finally {
      await catalogProxy.restore();
    }
    const { order: placed } = await retryUntilPlaced(accountId, key);
    expect(placed.id).toBe(key);
    expect(await ordersOf(key)).toBe(1);
    expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 2 });
  });

  it('a dead checkout nobody retries: the sweep releases its stock after CHECKOUT_ABANDON_AFTER_SECONDS, and its key still places the order', async () => {
    const skuId = await sku(3);
    const accountId = uuid();
    await fill(accountId, skuId, 2);
    const key = uuid();
    const release = await holdCart(accountId);
    const first = failure(checkout(accountId, key));
    await eventually(async () => ((await stock(skuId)).reserved === 2 ? true : undefined));
    await killOrder();
    await release();
    await first;
    await startOrder();

    await eventually(
      async () => {
        const [s, r] = [await stock(skuId), await record(key)];
        return s.reserved === 0 && r?.status === 'ABANDONED' ? true : undefined;
      },
      { timeoutMs: (ABANDON_AFTER_SECONDS + 15) * 1000, what: 'the dead checkout swept' },
    );
    expect(await ordersOf(key)).toBe(0);
    // abandoned is not a refusal for ever: the same request runs the saga again
    const placed = (await checkout(accountId, key)).order!;
    expect(placed.id).toBe(key);
    expect(await ordersOf(key)).toBe(1);
    expect(await stock(skuId)).toEqual({ on_hand: 3, reserved: 2 });
  });
});
