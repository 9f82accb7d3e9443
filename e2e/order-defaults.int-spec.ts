import { createHmac, randomUUID } from 'node:crypto';
import { startPlatform, type Platform } from '@emporia/testing';

jest.setTimeout(180_000);

const PASSWORD = 'a long enough password';
/** The secrets the repository once published as defaults. */
const PUBLISHED_SANDBOX_SECRET = 'emporia-sandbox-development-secret';
const PUBLISHED_CARRIER_SECRET = 'emporia-carrier-development-secret';

/**
 * The order service as it starts without development settings (the chart's and compose's
 * defaults): the sandbox payment provider is off and, without CARRIER_WEBHOOK_SECRET, so are
 * carrier webhooks. Each answers a clear 4xx problem, and nothing signed with the secrets this
 * repository once published changes an order.
 */
describe('order defaults end to end: no sandbox, no carrier webhooks without a secret', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({
      catalog: true,
      user: true,
      order: true,
      orderEnv: {
        PAYMENT_SANDBOX_ENABLED: 'false',
        PAYMENT_SANDBOX_SECRET: '',
        CARRIER_WEBHOOK_SECRET: '',
      },
    });
  });

  afterAll(async () => platform?.stop());

  it('refuses sandbox payments, their hosted page and callbacks signed with the published secret', async () => {
    const { api } = platform;
    const email = (name: string) => `${name}.${platform.suffix}@example.cn`;
    const operator = (await platform.signIn(email('ops'), PASSWORD, 'customer,operator')).auth;
    const skuId = await platform.stockedSku(operator, {
      stock: 2,
      priceMinor: 1200,
      warehouseCode: 'SZ-1',
      title: 'Tea cup',
    });
    const me = await platform.signIn(email('buyer'), PASSWORD);
    await api('PUT', `/v1/cart/lines/${skuId}`, { quantity: 1 }, me.auth);
    const order = await api(
      'POST',
      '/v1/checkout',
      {
        address: {
          recipient: '王五',
          phone: '+8613700001111',
          country: 'CN',
          province: '广东省',
          city: '深圳市',
          district: '福田区',
          line1: '深南大道 1 号',
        },
      },
      { ...me.auth, 'idempotency-key': randomUUID() },
    );
    expect(order.status).toBe(201);

    for (const provider of [{}, { provider: 'sandbox' }]) {
      const pay = await api('POST', `/v1/orders/${order.body.id}/payments`, provider, me.auth);
      expect([pay.status, pay.body.code]).toEqual([422, 'PAYMENT_PROVIDER_DISABLED']);
    }
    const page = await api(
      'POST',
      `/v1/payments/sandbox/pay/${randomUUID()}`,
      { succeed: true },
      me.auth,
    );
    expect([page.status, page.body.code]).toEqual([422, 'PAYMENT_PROVIDER_DISABLED']);

    // the finding of the outside test: a callback signed with the published default secret
    const cb = {
      providerTxnId: `t-${randomUUID()}`,
      orderId: order.body.id,
      amountMinor: 1200,
      currency: 'CNY',
      status: 'SUCCEEDED',
      timestamp: Math.floor(Date.now() / 1000),
    };
    const canonical = ['sandbox', ...Object.values(cb)].join('\n');
    const signature = createHmac('sha256', PUBLISHED_SANDBOX_SECRET)
      .update(canonical)
      .digest('hex');
    const forged = await api('POST', '/v1/payments/callbacks/sandbox', { ...cb, signature });
    expect([forged.status, forged.body.code]).toEqual([422, 'PAYMENT_PROVIDER_DISABLED']);
    expect((await api('GET', `/v1/orders/${order.body.id}`, undefined, me.auth)).body.status).toBe(
      'PENDING_PAYMENT',
    );
  });

  it('answers carrier webhooks with a clear problem while CARRIER_WEBHOOK_SECRET is empty', async () => {
    const body = JSON.stringify({
      trackingNumber: 'SF0000001',
      eventId: 'e-1',
      status: 'DELIVERED',
      occurredAt: new Date().toISOString(),
    });
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', PUBLISHED_CARRIER_SECRET)
      .update(`${t}.sf.${body}`)
      .digest('hex');
    const r = await platform.api('POST', '/v1/shipments/tracking-events/sf', body, {
      'emporia-signature': `t=${t},v1=${v1}`,
    });
    expect([r.status, r.body.code]).toEqual([422, 'CARRIER_WEBHOOKS_DISABLED']);
    expect(r.type).toContain('application/problem+json');
  });
});
