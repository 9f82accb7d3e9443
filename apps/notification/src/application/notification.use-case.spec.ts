import { newContext } from '@emporia/platform';
import { SendFailure } from './ports';
import {
  signReceipt,
  signUnsubscribeToken,
  verifyReceipt,
  verifyUnsubscribeToken,
  type Receipt,
} from './signing';
import type { Notice } from '../domain/planner';
import { harness, TEST_SECRETS } from '../testing/harness';

const ctx = newContext();
const ACC = '11111111-1111-4111-8111-111111111111';
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};

let n = 0;
const event = (type = 'emporia.order.v1.ShipmentShipped') => ({
  eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  eventType: type,
});
const shipped: Notice = {
  templateKey: 'order.shipped',
  category: 'ORDER',
  accountId: ACC,
  vars: { order_id: 'O-1', carrier: 'SF Express', tracking_number: 'SF123456' },
};
const coupon: Notice = {
  templateKey: 'coupon.expiring',
  category: 'MARKETING',
  accountId: ACC,
  vars: {
    code: 'C-1',
    benefit: '满300减50',
    expires_at: { instant: new Date('2030-03-05T16:00:00Z') },
  },
};

describe('signing', () => {
  it('unsubscribe tokens verify, and a changed byte does not', () => {
    const t = signUnsubscribeToken('s'.repeat(32), ACC, 'MARKETING_EMAIL');
    expect(verifyUnsubscribeToken('s'.repeat(32), t)).toEqual({
      accountId: ACC,
      purpose: 'MARKETING_EMAIL',
    });
    expect(verifyUnsubscribeToken('t'.repeat(32), t)).toBeUndefined();
    const [payload, mac] = t.split('.');
    const other = Buffer.from(`${ACC.replace('1', '2')}|MARKETING_EMAIL`).toString('base64url');
    expect(verifyUnsubscribeToken('s'.repeat(32), `${other}.${mac}`)).toBeUndefined();
    expect(verifyUnsubscribeToken('s'.repeat(32), `${payload}.`)).toBeUndefined();
    expect(verifyUnsubscribeToken('s'.repeat(32), 'garbage')).toBeUndefined();
  });

  it('receipts are HMAC-SHA256 hex of provider|id|status|occurredAt|errorCode', () => {
    const r: Receipt = {
      provider: 'sandbox-sms',
      providerMessageId: 'm1',
      status: 'DELIVERED',
      occurredAt: '2030-01-01T00:00:00.000Z',
      errorCode: '',
    };
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const expected = createHmac('sha256', 'k')
      .update('sandbox-sms|m1|DELIVERED|2030-01-01T00:00:00.000Z|')
      .digest('hex');
    expect(signReceipt('k', r)).toBe(expected);
    expect(verifyReceipt('k', r, expected)).toBe(true);
    expect(verifyReceipt('k', { ...r, status: 'UNDELIVERED' }, expected)).toBe(false);
    expect(verifyReceipt('k', r, 'zz')).toBe(false);
  });
});

describe('planning deliveries from an event', () => {
  it('one delivery per channel and recipient; a redelivered event adds nothing', async () => {
    const h = harness();
    h.accounts.add({ accountId: ACC, email: 'li@example.com', phone: '+8613800138000' });
    await h.account.registerDevice(ctx, ACC, 'device-token-1', 'IOS');
    const e = event();
    expect(await h.notify.handle(ctx, e, shipped)).toBe(true);
    expect(await h.notify.handle(ctx, e, shipped)).toBe(false);
    const ds = h.deliveries();
    expect(ds.map((d) => [d.channel, d.recipient, d.status])).toEqual([
      ['EMAIL', 'li@example.com', 'PENDING'],
      ['SMS', '+8613800138000', 'PENDING'],
      ['PUSH', 'device-token-1', 'PENDING'],
    ]);
    // zh-CN by default, with the tracking number
    expect(ds[0]!.subject).toBe('订单 O-1 已发货');
    expect(ds[0]!.body).toContain('SF123456');
    expect(ds[0]!.unsubscribeUrl).toBeNull();
  });

  it('the locale: preference, else profile, else zh-CN', async () => {
    const h = harness();
    h.accounts.add({ accountId: ACC, email: 'li@example.com', profileLocale: 'en-US' });
    await h.notify.handle(ctx, event(), shipped);
    expect(h.deliveries()[0]!.subject).toBe('Order O-1 has shipped');
    await h.account.updatePreferences(ctx, ACC, {
      channels: [],
      quietHoursStart: '',
      quietHoursEnd: '',
      timeZone: '',
      locale: 'zh-CN',
    });
    await h.notify.handle(ctx, event(), shipped);
    expect(h.deliveries()[3]!.locale).toBe('zh-CN');
  });

  it('skips what the account turned off, has no address for, or did not consent to', async () => {
    const h = harness();
    h.accounts.add({
      accountId: ACC,
      email: 'li@example.com',
      phone: '+8613800138000',
      consents: new Set(['MARKETING_EMAIL']),
    });
    await h.account.updatePreferences(ctx, ACC, {
      channels: [{ category: 'ORDER', email: true, sms: false, push: true }],
      quietHoursStart: '',
      quietHoursEnd: '',
      timeZone: '',
      locale: '',
    });
    await h.notify.handle(ctx, event(), shipped);
    await h.notify.handle(ctx, event(), coupon);
    const summary = h
      .deliveries()
      .map((d) => `${d.templateKey} ${d.channel} ${d.status} ${d.reason}`);
    expect(summary).toEqual([
      'order.shipped EMAIL PENDING ',
      'order.shipped SMS SKIPPED CHANNEL_OFF',
      'order.shipped PUSH SKIPPED NO_ADDRESS',
      'coupon.expiring EMAIL PENDING ',
      'coupon.expiring SMS SKIPPED NO_CONSENT',
      'coupon.expiring PUSH SKIPPED NO_ADDRESS',
    ]);
    // marketing mail carries the unsubscribe link, in the body and for the headers
    const mail = h.deliveries()[3]!;
    expect(mail.unsubscribeUrl).toMatch(
      /^https:\/\/shop\.example\/v1\/notifications\/unsubscribe\?token=/,
    );
    expect(mail.body).toContain(mail.unsubscribeUrl!);
    expect(mail.html).toContain('退订');
    // the expiry in the account's time zone (Shanghai by default)
    expect(mail.body).toContain('2030-03-06 00:00 (Asia/Shanghai)');
  });

  it('operators get low-stock alerts by e-mail; no account is asked', async () => {
    const h = harness();
    await h.notify.handle(ctx, event('emporia.catalog.v1.StockLow'), {
      templateKey: 'stock.low',
      category: 'OPERATIONS',
      accountId: null,
      vars: {
        sku_code: 'SKU-1',
        product_title: 'Tea <b>',
        warehouse_code: 'SH',
        available: '2',
        threshold: '5',
      },
    });
    expect(h.accounts.calls).toBe(0);
    expect(h.deliveries().map((d) => [d.channel, d.recipient, d.status])).toEqual([
      ['EMAIL', 'ops@emporia.test', 'PENDING'],
    ]);
    expect(h.deliveries()[0]!.html).toContain('Tea &lt;b&gt;');
  });

  it('user down: the handling fails, nothing is recorded, and a redelivery works', async () => {
    const h = harness();
    h.accounts.add({ accountId: ACC, email: 'li@example.com' });
    h.accounts.down = true;
    const e = event();
    await expect(h.notify.handle(ctx, e, shipped)).rejects.toThrow('user unavailable');
    expect(h.deliveries()).toHaveLength(0);
    expect(h.store.inbox.size).toBe(0);
    h.accounts.down = false;
    expect(await h.notify.handle(ctx, e, shipped)).toBe(true);
    expect(h.deliveries()).toHaveLength(3);
  });
});

describe('sending', () => {
  const MIN = 60_000;

  it('quiet hours hold marketing, not transactional; the held one goes when they end', async () => {
    const h = harness({}, '2030-03-04T15:30:00Z'); // 23:30 in Shanghai
    h.accounts.add({
      accountId: ACC,
      email: 'li@example.com',
      consents: new Set(['MARKETING_EMAIL']),
    });
    await h.notify.handle(ctx, event(), coupon);
    await h.notify.handle(ctx, event(), shipped);
    const report = await h.sender.run(ctx);
    expect(report.sent).toBe(1);
    expect(h.email.sent.map((m) => m.subject)).toEqual(['订单 O-1 已发货']);
    const held = h
      .deliveries()
      .find((d) => d.templateKey === 'coupon.expiring' && d.channel === 'EMAIL')!;
    expect(held).toMatchObject({ status: 'HELD', reason: 'QUIET_HOURS' });
    expect(held.nextAttemptAt?.toISOString()).toBe('2030-03-05T00:00:00.000Z');
    h.clock.advance(8 * 60 * MIN); // 07:30 Shanghai: still quiet
    expect((await h.sender.run(ctx)).sent).toBe(0);
    h.clock.advance(31 * MIN); // 08:01
    expect((await h.sender.run(ctx)).sent).toBe(1);
    expect(h.email.sent[1]).toMatchObject({
      subject: '您的优惠券即将过期',
      messageId: `<${held.id}@emporia>`,
      unsubscribeUrl: held.unsubscribeUrl,
    });
  });

  it('transient failures back off, then DEAD; an operator retry sends it', async () => {
    const h = harness({ maxAttempts: 3, retryBaseMs: 1000 });
    h.accounts.add({ accountId: ACC, email: 'li@example.com' });
    await h.notify.handle(ctx, event(), shipped);
    h.email.failWith = new SendFailure('SMTP ECONNREFUSED', false);
    await h.sender.run(ctx);
    const id = h.deliveries()[0]!.id;
    expect(h.store.deliveries.get(id)).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect((await h.sender.run(ctx)).claimed).toBe(0); // not due before the backoff
    h.clock.advance(1000);
    await h.sender.run(ctx);
    expect(h.store.deliveries.get(id)).toMatchObject({ status: 'PENDING', attempts: 2 });
    h.clock.advance(1999);
    expect((await h.sender.run(ctx)).claimed).toBe(0);
    h.clock.advance(1);
    expect((await h.sender.run(ctx)).dead).toBe(1);
    expect(h.store.deliveries.get(id)).toMatchObject({
      status: 'DEAD',
      attempts: 3,
      lastError: 'SMTP ECONNREFUSED',
    });
    h.clock.advance(3_600_000);
    expect((await h.sender.run(ctx)).claimed).toBe(0);
    h.email.failWith = undefined;
    expect(await failure(h.ops.retryDelivery(ctx, h.deliveries()[1]!.id))).toBe(
      'DELIVERY_NOT_DEAD',
    );
    await h.ops.retryDelivery(ctx, id);
    await h.sender.run(ctx);
    expect(h.store.deliveries.get(id)).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(h.email.sent).toHaveLength(1);
  });

  it('a permanent refusal is DEAD at once', async () => {
    const h = harness();
    h.accounts.add({ accountId: ACC, email: 'nobody@example.com' });
    await h.notify.handle(ctx, event(), shipped);
    h.email.failWith = new SendFailure('SMTP 550: mailbox unavailable', true);
    expect((await h.sender.run(ctx)).dead).toBe(1);
    expect(h.deliveries()[0]).toMatchObject({ status: 'DEAD', attempts: 1 });
  });

  it('receipts: signed ones mark DELIVERED/UNDELIVERED, forged or unknown ones are refused', async () => {
    const h = harness();
    h.accounts.add({ accountId: ACC, phone: '+8613800138000' });
    await h.account.registerDevice(ctx, ACC, 'fail-device-1', 'ANDROID');
    await h.notify.handle(ctx, event(), shipped);
    await h.sender.run(ctx);
    const sms = h.deliveries().find((d) => d.channel === 'SMS')!;
    expect(sms).toMatchObject({ status: 'SENT', providerMessageId: 'sandbox-sms-1' });
    expect(h.deliveries().find((d) => d.channel === 'PUSH')).toMatchObject({ status: 'DEAD' });
    const r: Receipt = {
      provider: 'sandbox-sms',
      providerMessageId: 'sandbox-sms-1',
      status: 'DELIVERED',
      occurredAt: '2030-03-04T04:00:05.000Z',
      errorCode: '',
    };
    expect(await failure(h.ops.recordReceipt(ctx, r, signReceipt('forged-key', r)))).toBe(
      'RECEIPT_SIGNATURE_INVALID',
    );
    expect(h.store.deliveries.get(sms.id)!.status).toBe('SENT');
    const unknown = { ...r, providerMessageId: 'nope' };
    expect(
      await failure(h.ops.recordReceipt(ctx, unknown, signReceipt(TEST_SECRETS.receipts, unknown))),
    ).toBe('RECEIPT_UNKNOWN');
    const done = await h.ops.recordReceipt(ctx, r, signReceipt(TEST_SECRETS.receipts, r));
    expect(done).toMatchObject({ status: 'DELIVERED', deliveredAt: new Date(r.occurredAt) });
  });
});

describe('account settings and operations', () => {
  it('unsubscribe turns marketing e-mail off, idempotently; a bad token is refused', async () => {
    const h = harness();
    const token = signUnsubscribeToken(TEST_SECRETS.unsubscribe, ACC, 'MARKETING_EMAIL');
    expect(await failure(h.account.unsubscribe(ctx, `${token}x`))).toBe(
      'UNSUBSCRIBE_TOKEN_INVALID',
    );
    const p = await h.account.unsubscribe(ctx, token);
    expect(p.channels.MARKETING.email).toBe(false);
    expect(p.channels.ORDER.email).toBe(true);
    expect((await h.account.unsubscribe(ctx, token)).channels.MARKETING.email).toBe(false);
    h.accounts.add({
      accountId: ACC,
      email: 'li@example.com',
      consents: new Set(['MARKETING_EMAIL']),
    });
    await h.notify.handle(ctx, event(), coupon);
    expect(h.deliveries()[0]).toMatchObject({
      channel: 'EMAIL',
      status: 'SKIPPED',
      reason: 'CHANNEL_OFF',
    });
  });

  it('the delivery log pages newest first and filters', async () => {
    const h = harness();
    h.accounts.add({ accountId: ACC, email: 'li@example.com' });
    for (let i = 0; i < 3; i++) await h.notify.handle(ctx, event(), shipped);
    const first = await h.ops.listDeliveries(
      ctx,
      { accountId: ACC, channel: 'EMAIL' },
      { size: 2 },
    );
    expect(first.deliveries).toHaveLength(2);
    const second = await h.ops.listDeliveries(
      ctx,
      { accountId: ACC, channel: 'EMAIL' },
      { size: 2, token: first.nextPageToken },
    );
    expect(second.deliveries).toHaveLength(1);
    expect(second.nextPageToken).toBe('');
    const ids = [...first.deliveries, ...second.deliveries].map((d) => d.id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(await failure(h.ops.listDeliveries(ctx, {}, { token: 'bad!' }))).toBe('INVALID_CURSOR');
  });

  it('templates: updated, or refused with unknown variables', async () => {
    const h = harness();
    const t = {
      key: 'order.shipped' as const,
      channel: 'SMS' as const,
      locale: 'en' as const,
      subject: '',
      body: 'Shipped {{tracking_number}}',
    };
    await h.ops.updateTemplate(ctx, t, 'op-1');
    expect(await failure(h.ops.updateTemplate(ctx, { ...t, body: '{{password}}' }, 'op-1'))).toBe(
      'TEMPLATE_INVALID',
    );
    h.accounts.add({ accountId: ACC, phone: '+8613800138000', profileLocale: 'en' });
    await h.notify.handle(ctx, event(), shipped);
    expect(h.deliveries().find((d) => d.channel === 'SMS')!.body).toBe('Shipped SF123456');
    // 7 keys × 3 channels × 2 locales, and the security ones: codes by SMS, notices by e-mail and SMS
    expect((await h.ops.listTemplates(ctx)).length).toBe(42 + 2 + 2 * 2 * 2);
  });

  it('push devices are validated', async () => {
    const h = harness();
    expect(await failure(h.account.registerDevice(ctx, ACC, 'short', 'IOS'))).toBe(
      'PUSH_DEVICE_INVALID',
    );
    expect(await failure(h.account.registerDevice(ctx, ACC, 'device-token-1', 'WINDOWS'))).toBe(
      'PUSH_DEVICE_INVALID',
    );
  });
});
