import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { anHttpCheckout, startPlatform, type Platform } from '@emporia/testing';

jest.setTimeout(240_000);

const PASSWORD = 'a long enough password';
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Promotions, coupons, flash sales and group buying through the gateway, with catalog, user,
 * order and marketing as processes on real Postgres, Redis and Kafka.
 */
describe('marketing end to end: gateway → order → marketing', () => {
  let platform: Platform;
  let operator: Record<string, string>;
  let n = 0;
  const email = (name: string) => `${name}${n++}.${platform.suffix}@example.cn`;
  const address = {
    recipient: '王五',
    phone: '+8613700002222',
    country: 'CN',
    province: '浙江省',
    city: '杭州市',
    district: '西湖区',
    line1: '西湖路 2 号',
  };
  const sql = async (db: 'catalog' | 'marketing' | 'order', text: string, params: unknown[]) => {
    const c = new Client({ connectionString: platform.databases[db]! });
    await c.connect();
    try {
      return (await c.query(text, params)).rows;
    } finally {
      await c.end();
    }
  };
  const reserved = async (skuId: string) =>
    Number(
      (
        await sql(
          'catalog',
          `SELECT COALESCE(sum(reserved), 0) AS n FROM stock_levels WHERE sku_id = $1`,
          [skuId],
        )
      )[0].n,
    );
  const sku = (stock: number, priceMinor: number) =>
    platform.stockedSku(operator, { stock, priceMinor, warehouseCode: 'HZ-1', title: 'Tea set' });
  const checkout = (auth: Record<string, string>, skuId: string, quantity: number, extra = {}) =>
    anHttpCheckout(platform.api, auth).of(skuId, quantity).to(address).with(extra).send();
  const pay = async (auth: Record<string, string>, orderId: string) => {
    const { api } = platform;
    const p = await api('POST', `/v1/orders/${orderId}/payments`, {}, auth);
    expect(p.status).toBe(201);
    return (
      await api('POST', `/v1/payments/sandbox/pay/${p.body.paymentId}`, { succeed: true }, auth)
    ).body;
  };
  const orderStatus = async (auth: Record<string, string>, orderId: string) =>
    (await platform.api('GET', `/v1/orders/${orderId}`, undefined, auth)).body.status as string;
  const until = async <T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error('timed out');
      await sleep(200);
    }
  };

  beforeAll(async () => {
    platform = await startPlatform({ catalog: true, user: true, order: true, marketing: true });
    operator = (await platform.signIn(email('ops'), PASSWORD, 'customer,operator')).auth;
  });

  afterAll(async () => platform?.stop());

  it('a tiered promotion and a claimed coupon price the checkout; paying redeems the coupon', async () => {
    const { api } = platform;
    const promo = await api(
      'PUT',
      `/v1/admin/promotions/${randomUUID()}`,
      {
        name: '满300减50',
        priority: 10,
        exclusive: false,
        scopeKind: 'CART',
        scopeIds: [],
        conditions: [],
        action: { kind: 'TIERED_REDUCTION', tiers: [{ threshold: cny(30000), off: cny(5000) }] },
        active: true,
        couponOnly: false,
      },
      operator,
    );
    expect(promo.status).toBe(200);
    const couponPromotion = randomUUID();
    await api(
      'PUT',
      `/v1/admin/promotions/${couponPromotion}`,
      {
        name: '20 off',
        priority: 20,
        exclusive: false,
        scopeKind: 'CART',
        scopeIds: [],
        conditions: [],
        action: { kind: 'AMOUNT_OFF', amount: cny(2000) },
        active: true,
        couponOnly: true,
      },
      operator,
    );
    const template = await api(
      'POST',
      '/v1/admin/coupon-templates',
      {
        name: '店铺券',
        promotionId: couponPromotion,
        totalLimit: 10,
        perUserLimit: 1,
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validTo: new Date(Date.now() + 3_600_000).toISOString(),
      },
      operator,
    );
    expect(template.status).toBe(201);
    const buyer = await platform.signIn(email('buyer'), PASSWORD);
    const claimed = await api(
      'POST',
      '/v1/me/coupons',
      { templateId: template.body.id },
      buyer.auth,
    );
    expect(claimed.status).toBe(201);
    const code = claimed.body.code as string;
    expect(
      (await api('POST', '/v1/me/coupons', { templateId: template.body.id }, buyer.auth)).body.code,
    ).toBe('COUPON_USER_LIMIT');

    const skuId = await sku(10, 16000);
    const placed = await checkout(buyer.auth, skuId, 2, { couponCodes: [code] });
    expect(placed.status).toBe(201);
    // 320.00 − 50.00 (满300减50) − 20.00 (coupon) = 250.00
    expect(placed.body.total).toEqual(cny(25000));
    expect(placed.body.discount).toEqual(cny(7000));
    expect(await pay(buyer.auth, placed.body.id)).toMatchObject({ outcome: 'PAID' });
    await until(async () => {
      const mine = (await api('GET', '/v1/me/coupons', undefined, buyer.auth)).body;
      const list = mine.items as {
        code: string;
        status: string;
      }[];
      return list.find((c) => c.code === code)?.status === 'REDEEMED' ? true : undefined;
    });
  });

  it('flash sale: a winner checks out at the sale price with the token; the limit and sold-out answers are clear', async () => {
    const { api } = platform;
    const skuId = await sku(5, 19900);
    const saleId = await platform.flashSale(operator, {
      skuId,
      priceMinor: 9900,
      stock: 1,
      perUserLimit: 1,
    });
    const [winner, loser] = [
      await platform.signIn(email('fast'), PASSWORD),
      await platform.signIn(email('slow'), PASSWORD),
    ];
    const won = await api(
      'POST',
      `/v1/flash-sales/${saleId}/attempts`,
      { quantity: 1 },
      winner.auth,
    );
    expect(won.status).toBe(201);
    const again = await api(
      'POST',
      `/v1/flash-sales/${saleId}/attempts`,
      { quantity: 1 },
      winner.auth,
    );
    expect([again.status, again.body.code]).toEqual([409, 'FLASH_SALE_LIMIT_REACHED']);
    const late = await api(
      'POST',
      `/v1/flash-sales/${saleId}/attempts`,
      { quantity: 1 },
      loser.auth,
    );
    expect([late.status, late.body.code]).toEqual([409, 'FLASH_SALE_SOLD_OUT']);
    // the token is the winner's alone
    const stolen = await checkout(loser.auth, skuId, 1, { flashToken: won.body.token });
    expect([stolen.status, stolen.body.code]).toEqual([422, 'FLASH_TOKEN_INVALID']);
    const placed = await checkout(winner.auth, skuId, 1, { flashToken: won.body.token });
    expect(placed.status).toBe(201);
    expect(placed.body.total).toEqual(cny(9900));
    expect(await pay(winner.auth, placed.body.id)).toMatchObject({ outcome: 'PAID' });
    const rec = await until(async () => {
      const r = (await api('GET', `/v1/admin/flash-sales/${saleId}`, undefined, operator)).body;
      return r.reconciliation?.paid === 1 ? r.reconciliation : undefined;
    });
    expect(rec).toEqual({ redisRemaining: 0, held: 1, paid: 1, drift: 0 });
  });

  it('sale endpoints are rate limited per account', async () => {
    const { api } = platform;
    const buyer = await platform.signIn(email('bot'), PASSWORD);
    const saleId = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        api('POST', `/v1/flash-sales/${saleId}/attempts`, { quantity: 1 }, buyer.auth),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].body.code).toBe('RATE_LIMITED');
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);
    // those let through reach marketing, which does not know this sale
    expect(answers.filter((a) => a.status !== 429).every((a) => a.status === 404)).toBe(true);
  });

  it('group buying: a group that does not fill by its deadline refunds every paid member and frees the stock', async () => {
    const { api } = platform;
    const skuId = await sku(10, 5000);
    const deal = await api(
      'POST',
      '/v1/admin/group-deals',
      {
        skuId,
        price: cny(2990),
        groupSize: 3,
        windowSeconds: 8,
        startsAt: new Date(Date.now() - 1000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      operator,
    );
    expect(deal.status).toBe(201);
    const [a, b] = [
      await platform.signIn(email('ga'), PASSWORD),
      await platform.signIn(email('gb'), PASSWORD),
    ];
    const first = await checkout(a.auth, skuId, 1, { groupDealId: deal.body.id });
    expect(first.status).toBe(201);
    expect(first.body.total).toEqual(cny(2990));
    const groupId = first.body.groupId as string;
    expect(groupId).toBeTruthy();
    const second = await checkout(b.auth, skuId, 1, { groupDealId: deal.body.id, groupId });
    expect(second.status).toBe(201);
    expect(await pay(a.auth, first.body.id)).toMatchObject({ outcome: 'PAID' });
    expect(await pay(b.auth, second.body.id)).toMatchObject({ outcome: 'PAID' });
    // paid but waiting for the group: not fulfilled, stock still held
    await until(async () =>
      (await api('GET', `/v1/groups/${groupId}`)).body.joined === 2 ? true : undefined,
    );
    expect(await orderStatus(a.auth, first.body.id)).toBe('PAID');
    expect(await reserved(skuId)).toBe(2);
    // the deadline passes: both refunded, stock released
    await until(async () =>
      (await orderStatus(a.auth, first.body.id)) === 'REFUNDED' &&
      (await orderStatus(b.auth, second.body.id)) === 'REFUNDED'
        ? true
        : undefined,
    );
    expect((await api('GET', `/v1/groups/${groupId}`)).body.status).toBe('FAILED');
    await until(async () => ((await reserved(skuId)) === 0 ? true : undefined));
  });
});
