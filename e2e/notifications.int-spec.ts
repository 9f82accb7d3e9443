import { randomUUID } from 'node:crypto';
import { anHttpCheckout, eventually, startPlatform, type Platform } from '@emporia/testing';

jest.setTimeout(240_000);

const PASSWORD = 'a long enough password';

interface MailSummary {
  ID: string;
  Subject: string;
}

/**
 * Notifications end to end, through the gateway with catalog, user, order, marketing and
 * notification as processes on real Postgres, Redis and Kafka, and e-mail over SMTP into the
 * shared mail sink (Mailpit; every test reads only its own recipients): a shipped order mails
 * its tracking number exactly once and shows in the buyer's delivery log; preferences turn a
 * channel off; a marketing mail's RFC 8058 one-click link turns marketing e-mail off.
 */
describe('notifications end to end: order / marketing → Kafka → notification → SMTP sink', () => {
  let platform: Platform;
  let operator: Record<string, string>;
  const email = (name: string) =>
    `${name}.${platform.suffix}.${randomUUID().slice(0, 8)}@example.cn`;

  /** The sink's messages to one address, newest first. */
  const mailsTo = async (address: string): Promise<MailSummary[]> => {
    const res = await fetch(
      `${platform.mailSinkApiUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=200`,
    );
    if (!res.ok) throw new Error(`mail sink search: ${res.status}`);
    return ((await res.json()) as { messages: MailSummary[] }).messages;
  };
  const mailText = async (id: string): Promise<string> => {
    const m = (await (await fetch(`${platform.mailSinkApiUrl}/api/v1/message/${id}`)).json()) as {
      Subject: string;
      Text: string;
      HTML: string;
    };
    return `${m.Subject}\n${m.Text}\n${m.HTML}`;
  };
  const mailHeaders = async (id: string): Promise<Record<string, string[]>> =>
    (await (
      await fetch(`${platform.mailSinkApiUrl}/api/v1/message/${id}/headers`)
    ).json()) as Record<string, string[]>;
  /** The messages to `address` whose subject or text contains `needle`. */
  const mailsWith = async (address: string, needle: string) => {
    const found: MailSummary[] = [];
    for (const m of await mailsTo(address))
      if ((await mailText(m.ID)).includes(needle)) found.push(m);
    return found;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** A paid order of one unit for `me`, shipped by the operator with `tracking`. */
  const shippedOrder = async (me: { auth: Record<string, string> }, tracking: string) => {
    const { api } = platform;
    const skuId = await platform.stockedSku(operator, { stock: 5, warehouseCode: 'SH-1' });
    const order = await anHttpCheckout(api, me.auth).of(skuId).send();
    expect(order.status).toBe(201);
    const pay = await api('POST', `/v1/orders/${order.body.id}/payments`, {}, me.auth);
    const paid = await api('POST', `/v1/payments/sandbox/pay/${pay.body.paymentId}`, {}, me.auth);
    expect(paid.body.outcome).toBe('PAID');
    const shipments = await eventually(
      async () => {
        const items = (
          await api('GET', `/v1/orders/${order.body.id}/shipments`, undefined, me.auth)
        ).body.items;
        return items?.length ? (items as { id: string }[]) : undefined;
      },
      { what: 'a shipment' },
    );
    const shipped = await api(
      'POST',
      `/v1/admin/shipments/${shipments[0].id}/ship`,
      { carrier: 'sf', trackingNumber: tracking },
      operator,
    );
    expect(shipped.status).toBe(200);
    return order.body.id as string;
  };

  beforeAll(async () => {
    platform = await startPlatform({
      catalog: true,
      user: true,
      order: true,
      marketing: true,
      notification: true,
    });
    operator = (await platform.signIn(email('ops'), PASSWORD, 'customer,operator')).auth;
  });

  afterAll(async () => platform?.stop());

  it('a shipped order mails its tracking number exactly once, and shows in my delivery log', async () => {
    const address = email('buyer');
    const me = await platform.signIn(address, PASSWORD);
    const tracking = `SF${Date.now()}`;
    await shippedOrder(me, tracking);

    const [mail] = await eventually(
      async () => {
        const found = await mailsWith(address, tracking);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the shipment e-mail in the sink' },
    );
    expect(mail.ID).toBeTruthy();
    // give a duplicate every chance to arrive: still exactly one
    await sleep(3000);
    expect(await mailsWith(address, tracking)).toHaveLength(1);

    // my delivery log: the shipment line, masked; nobody else's
    const mine = await eventually(
      async () => {
        const r = await platform.api('GET', '/v1/me/notifications', undefined, me.auth);
        const line = (r.body.items ?? []).find(
          (i: { eventType: string; channel: string }) =>
            /ShipmentShipped/.test(i.eventType) && i.channel === 'EMAIL',
        );
        return line && ['SENT', 'DELIVERED'].includes(line.status) ? r.body.items : undefined;
      },
      { timeoutMs: 30_000, what: 'the shipment line in my log' },
    );
    for (const line of mine) {
      expect(line.recipient).not.toBe(address);
      expect(line).not.toHaveProperty('providerMessageId');
    }
    expect(
      mine.filter(
        (i: { eventType: string; channel: string }) =>
          /ShipmentShipped/.test(i.eventType) && i.channel === 'EMAIL',
      ),
    ).toHaveLength(1);
    // operators read the whole log, unmasked, by account; customers may not
    const all = await platform.api(
      'GET',
      `/v1/admin/notifications/deliveries?accountId=${me.accountId}&channel=EMAIL`,
      undefined,
      operator,
    );
    expect(all.status).toBe(200);
    expect(all.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: me.accountId, recipient: address }),
      ]),
    );
    expect(
      (await platform.api('GET', '/v1/admin/notifications/deliveries', undefined, me.auth)).status,
    ).toBe(403);
    expect((await platform.api('GET', '/v1/me/notifications')).status).toBe(401);
  });

  it('preferences: with order e-mail off, the next shipment mails nothing and the log says why', async () => {
    const address = email('quiet');
    const me = await platform.signIn(address, PASSWORD);
    const before = await platform.api('GET', '/v1/me/notification-preferences', undefined, me.auth);
    expect(before.status).toBe(200);
    const channels = (before.body.channels as { category: string }[]).map((c) =>
      c.category === 'ORDER' ? { ...c, email: false } : c,
    );
    const put = await platform.api(
      'PUT',
      '/v1/me/notification-preferences',
      { ...before.body, updatedAt: undefined, channels },
      me.auth,
    );
    expect(put.status).toBe(200);
    expect(put.body.channels).toEqual(
      expect.arrayContaining([expect.objectContaining({ category: 'ORDER', email: false })]),
    );
    expect(
      (
        await platform.api(
          'PUT',
          '/v1/me/notification-preferences',
          { channels, timeZone: 'Mars/Olympus' },
          me.auth,
        )
      ).body.code,
    ).toBe('TIME_ZONE_INVALID');

    const tracking = `SF${Date.now()}Q`;
    await shippedOrder(me, tracking);
    const skipped = await eventually(
      async () => {
        const r = await platform.api('GET', '/v1/me/notifications', undefined, me.auth);
        return (r.body.items ?? []).find(
          (i: { eventType: string; channel: string }) =>
            /ShipmentShipped/.test(i.eventType) && i.channel === 'EMAIL',
        );
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the shipment line in my log' },
    );
    expect(skipped).toMatchObject({ status: 'SKIPPED', reason: 'CHANNEL_OFF' });
    expect(await mailsWith(address, tracking)).toHaveLength(0);
  });

  it("unsubscribe: a marketing mail's one-click link turns marketing e-mail off, and a forged token is refused", async () => {
    const { api } = platform;
    const address = email('promo');
    const me = await platform.signIn(address, PASSWORD);
    const consent = await api(
      'PUT',
      '/v1/me/consents',
      { consents: [{ purpose: 'MARKETING_EMAIL', granted: true }] },
      me.auth,
    );
    expect(consent.status).toBe(200);
    // no quiet hours (by default 22:00-08:00 in Shanghai, which would hold a marketing mail)
    const prefs0 = await api('GET', '/v1/me/notification-preferences', undefined, me.auth);
    const awake = await api(
      'PUT',
      '/v1/me/notification-preferences',
      { channels: prefs0.body.channels, quietHoursStart: null, quietHoursEnd: null },
      me.auth,
    );
    expect(awake).toMatchObject({ status: 200, body: { quietHoursStart: null } });
    // a coupon that expires within the notice window (24 h): marketing says so, notification mails it
    const promotion = randomUUID();
    expect(
      (
        await api(
          'PUT',
          `/v1/admin/promotions/${promotion}`,
          {
            name: '10 off',
            priority: 5,
            exclusive: false,
            scopeKind: 'CART',
            scopeIds: [],
            conditions: [],
            action: { kind: 'AMOUNT_OFF', amount: { amountMinor: 1000, currency: 'CNY' } },
            active: true,
            couponOnly: true,
          },
          operator,
        )
      ).status,
    ).toBe(200);
    const template = await api(
      'POST',
      '/v1/admin/coupon-templates',
      {
        name: '限时券',
        promotionId: promotion,
        totalLimit: 10,
        perUserLimit: 1,
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validTo: new Date(Date.now() + 3_600_000).toISOString(),
      },
      operator,
    );
    expect(template.status).toBe(201);
    expect(
      (await api('POST', '/v1/me/coupons', { templateId: template.body.id }, me.auth)).status,
    ).toBe(201);

    const [mail] = await eventually(
      async () => {
        const found = await mailsTo(address);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'the coupon e-mail in the sink' },
    );
    const headers = await mailHeaders(mail.ID);
    const link = /<([^>]+)>/.exec(headers['List-Unsubscribe']?.[0] ?? '')?.[1];
    expect(link).toMatch(/\/v1\/notifications\/unsubscribe\?token=/);
    expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click']);
    const url = new URL(link!);
    expect(`${url.protocol}//${url.host}`).toBe(platform.gatewayUrl);

    // the mail provider's one-click POST (RFC 8058): no sign-in, a form body
    const oneClick = await fetch(link!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.json()).toMatchObject({ unsubscribed: true });
    const prefs = await api('GET', '/v1/me/notification-preferences', undefined, me.auth);
    expect(prefs.body.channels).toEqual(
      expect.arrayContaining([expect.objectContaining({ category: 'MARKETING', email: false })]),
    );
    // the link opened in a browser: a page, and nothing changes twice
    const page = await fetch(link!, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // another account's token cannot be made up
    const forged = link!.replace(/token=([^&]+)/, (_m, t: string) => `token=${t.slice(0, -2)}xx`);
    const refused = await fetch(forged);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe('UNSUBSCRIBE_TOKEN_INVALID');
  });
});
