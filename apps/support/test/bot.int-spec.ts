import { createHmac, randomUUID } from 'node:crypto';
import { grpcService, type orderV1 } from '@emporia/contracts';
import { FakeClock } from '@emporia/domain/testing';
import { DependencyUnavailableError } from '@emporia/messaging';
import { grpcClient, type GrpcApi } from '@emporia/platform';
import {
  aCatalogSku,
  aCheckout,
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  runServiceCommand,
  startServiceProcess,
  testEnv,
  uniqueSuffix,
  type ServiceProcess,
} from '@emporia/testing';
import { OrderAwareBot } from '../src/application/first-line-bot';
import { GrpcCustomerOrders } from '../src/infrastructure/grpc-customer-orders';

jest.setTimeout(120_000);

const SANDBOX_SECRET = 'support-bot-sandbox-secret-0123456789';
const CARRIER_SECRET = 'support-bot-carrier-secret-0123456789';

/**
 * The first-line bot on the real order service (and the catalog it reserves stock from), as
 * processes on real Postgres and Kafka: orders paid, shipped and tracked through order's own RPCs,
 * then asked about through GrpcCustomerOrders.
 */
describe('support bot: answers from the real order service', () => {
  const suffix = uniqueSuffix();
  const dbs: { drop: () => Promise<void> }[] = [];
  const processes: ServiceProcess[] = [];
  let order: ReturnType<typeof grpcTestClient>;
  let catalog: ReturnType<typeof grpcTestClient>;
  let orderApi: { api: GrpcApi<orderV1.OrderServiceController>; client: { close(): void } };
  let categoryId: string;
  let skuId: string;

  const call = <T>(method: string, req: unknown) => order.call<T>(method, req);

  /** A paid order of one unit for `accountId`, once its shipment is planned. */
  const paidOrder = async (accountId: string) => {
    await call('setCartLine', { owner: { accountId }, skuId, quantity: 1 });
    const o = (await call<orderV1.CheckoutResponse>('checkout', aCheckout(accountId).build()))
      .order!;
    const cb = {
      provider: 'sandbox',
      providerTxnId: `txn-${randomUUID()}`,
      orderId: o.id,
      amountMinor: Number(o.total!.amountMinor),
      currency: o.total!.currency,
      status: 'SUCCEEDED',
      timestamp: Math.floor(Date.now() / 1000),
    };
    const canonical = Object.values(cb).join('\n');
    const signature = createHmac('sha256', SANDBOX_SECRET).update(canonical).digest('hex');
    await call('handlePaymentCallback', { ...cb, signature });
    const shipments = await eventually(async () => {
      const r = await call<orderV1.ListShipmentsResponse>('listShipments', {
        orderId: o.id,
        accountId,
      });
      return r.shipments.length ? r.shipments : undefined;
    });
    return { orderId: o.id, shipmentId: shipments[0].id };
  };

  /** A carrier's signed tracking event, as the gateway forwards it. */
  const track = (trackingNumber: string, status: string, description: string, at: Date) => {
    const body = JSON.stringify({
      trackingNumber,
      eventId: randomUUID(),
      status,
      description,
      occurredAt: at.toISOString(),
    });
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', CARRIER_SECRET).update(`${t}.sf.${body}`).digest('hex');
    return call('recordTrackingEvent', {
      carrier: 'sf',
      payload: Buffer.from(body),
      signatureHeader: `t=${t},v1=${v1}`,
    });
  };

  const trackingNumber = () => `SF${suffix}${Math.floor(Math.random() * 1e6)}`.replace(/\W/g, '');

  beforeAll(async () => {
    const catalogDb = await createTestDatabase('support_bot_catalog');
    dbs.push(catalogDb);
    const orderDb = await createTestDatabase('support_bot_order');
    dbs.push(orderDb);
    const kafka = {
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `sbot${suffix}.`,
      BIND_HOST: '127.0.0.1',
    };
    const [catalogGrpc, catalogHttp, orderGrpc, orderHttp] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const catalogEnv = {
      ...kafka,
      CATALOG_DATABASE_URL: catalogDb.url,
      CATALOG_CONSUMER_GROUP: `catalog-${suffix}`,
    };
    await runServiceCommand('catalog', catalogEnv, ['migrate']);
    processes.push(
      await startServiceProcess(
        'catalog',
        {
          ...catalogEnv,
          CATALOG_GRPC_PORT: String(catalogGrpc),
          CATALOG_HTTP_PORT: String(catalogHttp),
        },
        `http://127.0.0.1:${catalogHttp}/readyz`,
      ),
    );
    processes.push(
      await startServiceProcess(
        'order',
        {
          ...kafka,
          ORDER_DATABASE_URL: orderDb.url,
          ORDER_MIGRATE_ON_START: 'true',
          ORDER_CONSUMER_GROUP: `support-bot-order-${suffix}`,
          ORDER_GRPC_PORT: String(orderGrpc),
          ORDER_HTTP_PORT: String(orderHttp),
          CATALOG_GRPC_URL: `127.0.0.1:${catalogGrpc}`,
          PAYMENT_SANDBOX_ENABLED: 'true',
          PAYMENT_SANDBOX_SECRET: SANDBOX_SECRET,
          CARRIER_WEBHOOK_SECRET: CARRIER_SECRET,
          ORDER_SWEEP_INTERVAL_MS: '200',
        },
        `http://127.0.0.1:${orderHttp}/readyz`,
      ),
    );
    const orderUrl = `127.0.0.1:${orderGrpc}`;
    order = grpcTestClient(
      grpcService('order').protoFile,
      'emporia.order.v1.OrderService',
      orderUrl,
    );
    catalog = grpcTestClient(
      grpcService('catalog').protoFile,
      'emporia.catalog.v1.CatalogService',
      `127.0.0.1:${catalogGrpc}`,
    );
    // the adapter on the client support itself uses (support.app.ts: grpcBackend('order', ...))
    orderApi = grpcClient<GrpcApi<orderV1.OrderServiceController>>({
      name: 'order',
      ...grpcService('order'),
      url: orderUrl,
      deadlineMs: 5000,
    });
    categoryId = (
      await catalog.call<{ category: { id: string } }>('createCategory', {
        name: 'Support bot',
        slug: `support-bot-${suffix}`,
      })
    ).category.id;
    skuId = await aCatalogSku(catalog, categoryId)
      .named('SB', '竹牙刷')
      .stocked(20, ['SZ-1'])
      .create();
  });

  afterAll(async () => {
    orderApi?.client.close();
    order?.close();
    catalog?.close();
    for (const p of processes.reverse()) await p.stop();
    for (const d of dbs) await d.drop();
  });

  it('tells a customer where their shipped parcel is: the real carrier and tracking number', async () => {
    const me = randomUUID();
    const { orderId, shipmentId } = await paidOrder(me);
    const number = trackingNumber();
    await call('shipShipment', { shipmentId, carrier: 'sf', trackingNumber: number });
    await track(number, 'IN_TRANSIT', '已到达深圳转运中心', new Date());
    const bot = new OrderAwareBot(new GrpcCustomerOrders(orderApi.api), { returnWindowDays: 7 });

    const answer = await bot.answer({
      accountId: me,
      text: '我的快递到哪了',
      locale: 'zh-CN',
      category: 'LOGISTICS_DELAY',
    });
    expect(answer).toMatchObject({ kind: 'answer', topic: 'TRACKING' });
    expect(answer.text).toContain(`订单 ${orderId} 的物流信息`);
    expect(answer.text).toContain(`顺丰速运，运单号 ${number}`);
    expect(answer.text).toContain('运输中（已到达深圳转运中心）');

    // the order as the bot read it, and its status in words
    expect(
      await bot.answer({ accountId: me, text: 'order status?', locale: 'en', category: 'OTHER' }),
    ).toMatchObject({
      kind: 'answer',
      topic: 'ORDER_STATUS',
      text: expect.stringMatching(
        new RegExp(
          `^Order ${orderId} \\(竹牙刷 SB-\\S+ ×1, placed .+\\) has shipped and is on its way\\.$`,
        ),
      ),
    });
  });

  it("hands over when asked about another account's order, and never shows it", async () => {
    const owner = randomUUID();
    const { orderId, shipmentId } = await paidOrder(owner);
    const number = trackingNumber();
    await call('shipShipment', { shipmentId, carrier: 'sf', trackingNumber: number });
    const orders = new GrpcCustomerOrders(orderApi.api);
    const bot = new OrderAwareBot(orders, { returnWindowDays: 7 });
    const stranger = randomUUID();

    for (const question of [
      { text: `${orderId} 到哪了` },
      { text: 'where is my parcel?', orderId },
    ]) {
      const answer = await bot.answer({
        accountId: stranger,
        locale: 'zh-CN',
        category: 'LOGISTICS_DELAY',
        ...question,
      });
      expect(answer).toEqual({
        kind: 'handoff',
        reason: 'BOT_CANNOT_ANSWER',
        text: '抱歉，我在您的账户下没有找到这个订单，正在为您转人工客服，请稍候，客服会看到我们的对话。',
      });
      expect(answer.text).not.toContain(number);
    }
    expect(await orders.order(stranger, orderId)).toBeUndefined();
    expect(await orders.shipments(stranger, orderId)).toEqual([]);
    expect(await orders.returns(stranger, orderId)).toEqual([]);
    expect(await orders.order(owner, orderId)).toMatchObject({ orderId, status: 'SHIPPED' });
  });

  it('explains the return policy for a delivered order inside its window, with its returns', async () => {
    const me = randomUUID();
    const { orderId, shipmentId } = await paidOrder(me);
    const number = trackingNumber();
    await call('shipShipment', { shipmentId, carrier: 'sf', trackingNumber: number });
    const deliveredAt = new Date(Date.now() - 60_000);
    await track(number, 'DELIVERED', '已签收', deliveredAt);
    await eventually(async () => {
      const r = await call<orderV1.GetOrderResponse>('getOrder', { orderId, accountId: me });
      return r.order!.status === 'DELIVERED' ? true : undefined;
    });
    const ret = (
      await call<orderV1.RequestReturnResponse>('requestReturn', {
        orderId,
        accountId: me,
        lines: [{ skuId, quantity: 1 }],
        reason: '尺寸不合适',
      })
    ).return!;
    // two days after delivery (the shop's clock): five days left of seven
    const clock = new FakeClock(new Date(deliveredAt.getTime() + 2 * 86_400_000));
    const bot = new OrderAwareBot(new GrpcCustomerOrders(orderApi.api), {
      returnWindowDays: 7,
      clock,
    });

    const answer = await bot.answer({
      accountId: me,
      text: '收到了，可以七天无理由退货吗？',
      locale: 'zh-CN',
      category: 'RETURN_REFUND',
    });
    expect(answer).toMatchObject({ kind: 'answer', topic: 'RETURN_POLICY' });
    expect(answer.text).toMatch(
      new RegExp(
        `^签收后 7 天内可申请退货或换货（七天无理由）。订单 ${orderId} 于 \\S+ \\S+ 签收，仍在退货期内，可在 \\S+ \\S+ 前申请（还剩 5 天）。`,
      ),
    );
    expect(answer.text).toContain(`您已有的退货申请：${ret.id}（退货退款，`);
    expect(answer.text).toContain('已提交，等待审核');

    clock.advance(6 * 86_400_000);
    expect(
      await bot.answer({
        accountId: me,
        text: 'refund?',
        locale: 'en',
        category: 'OTHER',
        orderId,
      }),
    ).toMatchObject({
      kind: 'answer',
      text: expect.stringContaining('its return window closed on'),
    });
  });

  it('hands over, never fails, when order does not answer', async () => {
    const down = grpcClient<GrpcApi<orderV1.OrderServiceController>>({
      name: 'order',
      ...grpcService('order'),
      url: `127.0.0.1:${await freePort()}`,
      deadlineMs: 500,
    });
    try {
      const orders = new GrpcCustomerOrders(down.api);
      await expect(orders.recentOrders(randomUUID(), 5)).rejects.toBeInstanceOf(
        DependencyUnavailableError,
      );
      expect(
        await new OrderAwareBot(orders, { returnWindowDays: 7 }).answer({
          accountId: randomUUID(),
          text: 'where is my order',
          locale: 'en',
          category: 'OTHER',
        }),
      ).toEqual({
        kind: 'handoff',
        reason: 'BOT_CANNOT_ANSWER',
        text: "Sorry, I can't look up your orders right now. I'm passing you to a person, who will see this conversation and reply here shortly.",
      });
    } finally {
      down.client.close();
    }
  });
});
