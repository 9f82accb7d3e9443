import { randomUUID } from 'node:crypto';
import { anHttpCheckout, startPlatform, type Platform } from '@emporia/testing';

jest.setTimeout(240_000);

const PASSWORD = 'a long enough password';
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const today = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

/**
 * Analytics end to end, every service a process on real Postgres, Redis and Kafka: a shopper's
 * behaviour events through the gateway and a paid order reach the funnel, the KPIs and RFM; an
 * operator hands the RFM segment a coupon, and marketing gives it to the shopper.
 */
describe('analytics end to end: gateway → analytics ← order; analytics → marketing', () => {
  let platform: Platform;
  let operator: Record<string, string>;
  let n = 0;
  const email = (name: string) => `${name}${n++}.${platform.suffix}@example.cn`;
  const until = async <T>(probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error('timed out');
      await sleep(250);
    }
  };

  beforeAll(async () => {
    platform = await startPlatform({
      catalog: true,
      user: true,
      order: true,
      marketing: true,
      analytics: true,
    });
    operator = (await platform.signIn(email('ops'), PASSWORD, 'customer,operator')).auth;
  });

  afterAll(async () => platform?.stop());

  it('a visit and a paid order show in the funnel, KPIs and RFM; an exported segment gets its coupons', async () => {
    const { api } = platform;
    const skuId = await platform.stockedSku(operator, {
      stock: 5,
      priceMinor: 12900,
      warehouseCode: 'HZ-1',
      title: 'Teapot',
    });
    const buyer = await platform.signIn(email('buyer'), PASSWORD);
    const visitor = `v-${randomUUID().slice(0, 12)}`;
    const at = new Date().toISOString();
    const event = (type: string, extra: Record<string, unknown> = {}) => ({
      eventId: randomUUID(),
      type,
      anonymousId: visitor,
      occurredAt: at,
      channel: 'web',
      utm: { source: 'newsletter', medium: 'email', campaign: 'double-11' },
      device: { type: 'mobile' },
      ...extra,
    });
    const productId = randomUUID();
    const sent = await api(
      'POST',
      '/v1/events',
      {
        events: [
          event('product_view', { productId }),
          event('add_to_cart', { productId, quantity: 1 }),
          event('checkout_started'),
        ],
      },
      buyer.auth,
    );
    expect([sent.status, sent.body]).toEqual([202, { accepted: 3, rejected: [] }]);

    const placed = await anHttpCheckout(api, buyer.auth)
      .of(skuId, 2)
      .to({
        recipient: '赵六',
        phone: '+8613700003333',
        country: 'CN',
        province: '浙江省',
        city: '杭州市',
        district: '西湖区',
        line1: '文三路 9 号',
      })
      .send();
    expect(placed.status).toBe(201);
    const payment = await api('POST', `/v1/orders/${placed.body.id}/payments`, {}, buyer.auth);
    const paid = await api(
      'POST',
      `/v1/payments/sandbox/pay/${payment.body.paymentId}`,
      { succeed: true },
      buyer.auth,
    );
    expect(paid.body).toMatchObject({ outcome: 'PAID' });

    const day = today();
    // the visitor signed in (its events carried the account), so its paid order completes the funnel
    const funnel = await until(async () => {
      const r = await api(
        'GET',
        `/v1/admin/analytics/funnel?from=${day}&to=${day}&device=mobile`,
        undefined,
        operator,
      );
      const steps = r.body.steps as { step: string; visitors: number }[];
      return steps?.find((s) => s.step === 'paid')?.visitors === 1 ? steps : undefined;
    });
    expect(funnel.map((s) => [s.step, s.visitors])).toEqual([
      ['view', 1],
      ['cart', 1],
      ['checkout', 1],
      ['paid', 1],
    ]);
    const kpis = await api(
      'GET',
      `/v1/admin/analytics/kpis?from=${day}&to=${day}&channel=all`,
      undefined,
      operator,
    );
    expect(kpis.body.total).toMatchObject({
      paidOrders: 1,
      gmv: placed.body.total,
      units: 2,
      newBuyers: 1,
      returningBuyers: 0,
    });
    const attribution = await api(
      'GET',
      `/v1/admin/analytics/attribution?from=${day}&to=${day}&model=last_touch`,
      undefined,
      operator,
    );
    expect(attribution.body.rows).toEqual([
      expect.objectContaining({ utmSource: 'newsletter', paidOrders: 1, gmv: placed.body.total }),
    ]);

    // one buyer: every RFM score is 1, the segment "lost"
    const rfm = await until(async () => {
      const r = await api(
        'GET',
        '/v1/admin/analytics/rfm?segment=lost&limit=10',
        undefined,
        operator,
      );
      return r.body.accounts?.length === 1 ? r.body : undefined;
    });
    expect(rfm.accounts[0]).toMatchObject({ accountId: buyer.accountId, paidOrders: 1 });

    // the segment gets a coupon each, through analytics.audience and marketing
    const promotionId = randomUUID();
    const promo = await api(
      'PUT',
      `/v1/admin/promotions/${promotionId}`,
      {
        name: '回购券 10 off',
        priority: 20,
        exclusive: false,
        scopeKind: 'CART',
        scopeIds: [],
        conditions: [],
        action: { kind: 'AMOUNT_OFF', amount: cny(1000) },
        active: true,
        couponOnly: true,
      },
      operator,
    );
    expect(promo.status).toBe(200);
    const template = await api(
      'POST',
      '/v1/admin/coupon-templates',
      {
        name: '回购券',
        promotionId,
        totalLimit: 100,
        perUserLimit: 1,
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validTo: new Date(Date.now() + 3_600_000).toISOString(),
      },
      operator,
    );
    expect(template.status).toBe(201);
    const key = randomUUID();
    const exported = await api(
      'POST',
      '/v1/admin/analytics/audiences',
      { segment: 'lost', couponTemplateId: template.body.id },
      { ...operator, 'idempotency-key': key },
    );
    expect([exported.status, exported.body.accounts]).toEqual([201, 1]);
    const again = await api(
      'POST',
      '/v1/admin/analytics/audiences',
      { segment: 'lost', couponTemplateId: template.body.id },
      { ...operator, 'idempotency-key': key },
    );
    expect(again.body.audienceId).toBe(exported.body.audienceId);
    const coupon = await until(async () => {
      const mine = await api('GET', '/v1/me/coupons', undefined, buyer.auth);
      const items = mine.body.items as { templateId: string; status: string }[];
      return items.find((c) => c.templateId === template.body.id);
    });
    expect(coupon.status).toBe('CLAIMED');
    const grants = await api(
      'GET',
      `/v1/admin/marketing/audience-grants?source=${exported.body.audienceId}`,
      undefined,
      operator,
    );
    expect(grants.body.items).toEqual([
      expect.objectContaining({ accountId: buyer.accountId, outcome: 'GRANTED' }),
    ]);
    // the same export again gives no second coupon
    await sleep(1500);
    const mine = await api('GET', '/v1/me/coupons', undefined, buyer.auth);
    expect(
      (mine.body.items as { templateId: string }[]).filter(
        (c) => c.templateId === template.body.id,
      ),
    ).toHaveLength(1);
  });
});
