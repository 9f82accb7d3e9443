import type { RunningService } from '@emporia/platform';
import { testLogger } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import {
  delivery,
  GOOD_UNSUBSCRIBE_TOKEN,
  receiptSignature,
  startFakeNotification,
} from './support/fake-notification';
import type { FakeService } from '@emporia/testing';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor } from './support/token-signer';

jest.setTimeout(60_000);

const ALICE = '0190a000-0000-7000-8000-0000000000c1';
const BOB = '0190a000-0000-7000-8000-0000000000c2';
const OPERATOR = '0190a000-0000-7000-8000-0000000000e1';
const UNSUBSCRIBE_LIMIT = 20;

/**
 * The notification routes through the real gateway (Redis for rate limits, the real token
 * verifier) against a test double of the notification service at its gRPC boundary
 * (`support/fake-notification.ts`): what the gateway sends (the account from the token, never
 * the body; the customer view of the log; the receipt and its signature as they came) and how it
 * answers (401/403 by role, 400 before any call for bad shapes, the service's codes as
 * problem+json, the one-click form, the HTML confirmation, 429). The end-to-end suite
 * (e2e/notifications.int-spec.ts) runs the real service.
 */
describe('gateway notification routes', () => {
  let gateway: RunningService;
  let notification: FakeService & { unsubscribed: Set<string> };
  const tokens: Record<string, string> = {};
  const dead = delivery({
    accountId: ALICE,
    status: 'DELIVERY_STATUS_DEAD' as never,
    attempts: 5,
    lastError: 'SMTP 451',
  });
  const sms = delivery({
    accountId: ALICE,
    channel: 'CHANNEL_SMS' as never,
    recipient: '+8613800138000',
    providerMessageId: 'sbx-sms-1',
  });
  const bobs = delivery({ accountId: BOB, recipient: 'bob@example.com' });

  beforeAll(async () => {
    const keys = await signer();
    tokens.alice = await keys.sign(['customer'], { sub: ALICE });
    tokens.bob = await keys.sign(['customer'], { sub: BOB });
    tokens.operator = await keys.sign(['customer', 'operator'], { sub: OPERATOR });
    notification = await startFakeNotification([dead, sms, bobs]);
    const config = await testGatewayConfig('notification', {
      NOTIFICATION_GRPC_URL: notification.url,
      UNSUBSCRIBE_RATE_LIMIT_PER_IP: String(UNSUBSCRIBE_LIMIT),
    });
    const verifier = verifierFor(keys.jwks);
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
  });

  afterAll(async () => {
    await gateway?.close();
    await notification?.stop();
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    who?: string,
    headers: Record<string, string> = {},
  ) => {
    const raw = typeof body === 'string' || body instanceof FormData;
    const res = await fetch(`${gateway.httpUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined || raw ? {} : { 'content-type': 'application/json' }),
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const json = /json/.test(res.headers.get('content-type') ?? '');
    return {
      status: res.status,
      headers: res.headers,
      text,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes
      body: (json && text ? JSON.parse(text) : {}) as any,
    };
  };
  const callsOf = (method: string) => notification.calls.get(method)?.length ?? 0;

  it('needs a signed-in customer on /v1/me and an operator on /v1/admin', async () => {
    for (const path of [
      '/v1/me/notification-preferences',
      '/v1/me/push-devices',
      '/v1/me/notifications',
    ])
      expect(await call('GET', path)).toMatchObject({ status: 401 });
    for (const path of ['/v1/admin/notifications/deliveries', '/v1/admin/notification-templates'])
      expect(await call('GET', path, undefined, 'alice')).toMatchObject({
        status: 403,
        body: { code: 'ROLE_REQUIRED' },
      });
    expect(
      await call('POST', `/v1/admin/notifications/deliveries/${dead.id}/retry`, undefined, 'alice'),
    ).toMatchObject({ status: 403 });
    expect(callsOf('retryDelivery')).toBe(0);
  });

  it('reads and replaces my preferences as the token account, enumerations without prefixes', async () => {
    const before = await call('GET', '/v1/me/notification-preferences', undefined, 'alice');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      channels: expect.arrayContaining([
        { category: 'MARKETING', email: true, sms: false, push: false },
      ]),
      quietHoursStart: null,
      timeZone: 'Asia/Shanghai',
      locale: null,
    });
    expect(notification.last('getPreferences')).toEqual({ accountId: ALICE });
    const put = await call(
      'PUT',
      '/v1/me/notification-preferences',
      {
        channels: [{ category: 'MARKETING', email: false, sms: false, push: true }],
        quietHoursStart: '22:00',
        quietHoursEnd: '08:00',
        timeZone: 'Europe/Berlin',
        locale: 'en',
      },
      'alice',
    );
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      channels: [{ category: 'MARKETING', email: false, sms: false, push: true }],
      quietHoursStart: '22:00',
      quietHoursEnd: '08:00',
      timeZone: 'Europe/Berlin',
      locale: 'en',
      updatedAt: expect.any(String),
    });
    expect(notification.last('updatePreferences')).toMatchObject({
      accountId: ALICE,
      preferences: {
        accountId: ALICE,
        channels: [{ category: 'MESSAGE_CATEGORY_MARKETING', email: false, push: true }],
      },
    });
    // what GET shows (minus updatedAt) can be PUT back; null quiet hours clear them
    const { updatedAt: _u, ...back } = put.body;
    const again = await call(
      'PUT',
      '/v1/me/notification-preferences',
      { ...back, quietHoursStart: null, quietHoursEnd: null },
      'alice',
    );
    expect(again).toMatchObject({ status: 200, body: { quietHoursStart: null } });
    expect(notification.last('updatePreferences')).toMatchObject({
      preferences: { quietHoursStart: '', quietHoursEnd: '' },
    });
  });

  it('refuses bad preference shapes before the service, and maps its own codes', async () => {
    const calls = callsOf('updatePreferences');
    const ok = { channels: [{ category: 'ORDER', email: true, sms: true, push: true }] };
    for (const bad of [
      { ...ok, accountId: BOB },
      { channels: [{ category: 'OPERATIONS', email: true, sms: true, push: true }] },
      { channels: [{ category: 'ORDER', email: 'yes', sms: true, push: true }] },
      { ...ok, quietHoursStart: '25:00' },
      { ...ok, locale: 'fr' },
      { channels: 'ORDER' },
      {},
    ]) {
      const r = await call('PUT', '/v1/me/notification-preferences', bad, 'alice');
      expect({ bad, status: r.status, code: r.body.code }).toEqual({
        bad,
        status: 400,
        code: expect.stringMatching(/^(VALIDATION_FAILED|BODY_REQUIRED)$/),
      });
    }
    expect(callsOf('updatePreferences')).toBe(calls);
    const zone = await call(
      'PUT',
      '/v1/me/notification-preferences',
      { ...ok, timeZone: 'Mars/Olympus' },
      'alice',
    );
    expect(zone).toMatchObject({
      status: 400,
      body: { code: 'TIME_ZONE_INVALID', type: 'https://emporia.dev/problems/time-zone-invalid' },
    });
  });

  it('registers, lists and removes my push devices', async () => {
    const token = 'fcm:APA91bH-abc_DEF.123';
    const created = await call(
      'POST',
      '/v1/me/push-devices',
      { token, platform: 'ANDROID' },
      'bob',
    );
    expect(created).toMatchObject({ status: 201, body: { token, platform: 'ANDROID' } });
    expect(notification.last('registerPushDevice')).toEqual({
      accountId: BOB,
      token,
      platform: 'ANDROID',
    });
    expect((await call('GET', '/v1/me/push-devices', undefined, 'bob')).body.items).toEqual([
      expect.objectContaining({ token }),
    ]);
    expect((await call('GET', '/v1/me/push-devices', undefined, 'alice')).body.items).toEqual([]);
    const removed = await call(
      'DELETE',
      `/v1/me/push-devices/${encodeURIComponent(token)}`,
      undefined,
      'bob',
    );
    expect(removed.status).toBe(204);
    expect(notification.last('removePushDevice')).toEqual({ accountId: BOB, token });
    expect((await call('GET', '/v1/me/push-devices', undefined, 'bob')).body.items).toEqual([]);
    for (const bad of [
      { token, platform: 'WINDOWS' },
      { token: 'short', platform: 'IOS' },
      { token: 'has spaces in it', platform: 'IOS' },
    ])
      expect(await call('POST', '/v1/me/push-devices', bad, 'bob')).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
    expect(
      await call('DELETE', '/v1/me/push-devices/bad%20token%20here', undefined, 'bob'),
    ).toMatchObject({ status: 400, body: { code: 'PATH_PARAMETER_INVALID' } });
  });

  it("shows my own delivery log only, masked, without the providers' bookkeeping", async () => {
    const mine = await call('GET', '/v1/me/notifications?limit=5', undefined, 'alice');
    expect(mine.status).toBe(200);
    expect(notification.last('listDeliveries')).toMatchObject({
      accountId: ALICE,
      customerView: true,
      pageSize: 5,
      eventId: '',
    });
    expect(mine.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [dead.id, sms.id].sort(),
    );
    expect(mine.body.items.find((i: { id: string }) => i.id === dead.id)).toMatchObject({
      channel: 'EMAIL',
      category: 'ORDER',
      status: 'DEAD',
      recipient: 'z***@example.com',
      deliveredAt: null,
    });
    for (const item of mine.body.items) {
      expect(item).not.toHaveProperty('accountId');
      expect(item).not.toHaveProperty('lastError');
      expect(item).not.toHaveProperty('providerMessageId');
    }
    expect(mine.body.nextCursor).toBe('next-page');
    await call('GET', '/v1/me/notifications?cursor=next-page', undefined, 'alice');
    expect(notification.last('listDeliveries')).toMatchObject({ pageToken: 'next-page' });
    // an accountId in the query is not the customer's to choose
    expect(
      await call('GET', `/v1/me/notifications?accountId=${BOB}`, undefined, 'alice'),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('gives operators the whole log with filters, retries dead letters, edits templates', async () => {
    const page = await call(
      'GET',
      `/v1/admin/notifications/deliveries?status=DEAD&channel=EMAIL&accountId=${ALICE}&eventId=${dead.eventId}`,
      undefined,
      'operator',
    );
    expect(page.status).toBe(200);
    expect(notification.last('listDeliveries')).toEqual({
      accountId: ALICE,
      customerView: false,
      status: 'DELIVERY_STATUS_DEAD',
      channel: 'CHANNEL_EMAIL',
      eventId: dead.eventId,
      pageSize: 0,
      pageToken: '',
    });
    expect(page.body.items).toEqual([
      expect.objectContaining({
        id: dead.id,
        accountId: ALICE,
        recipient: 'zoe@example.com',
        attempts: 5,
        lastError: 'SMTP 451',
        templateKey: 'order.shipped',
      }),
    ]);
    expect(
      await call('GET', '/v1/admin/notifications/deliveries?status=LOST', undefined, 'operator'),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });

    const retried = await call(
      'POST',
      `/v1/admin/notifications/deliveries/${dead.id}/retry`,
      undefined,
      'operator',
    );
    expect(retried).toMatchObject({ status: 200, body: { id: dead.id, status: 'PENDING' } });
    expect(notification.last('retryDelivery')).toEqual({
      deliveryId: dead.id,
      operatorId: OPERATOR,
    });
    expect(
      await call(
        'POST',
        `/v1/admin/notifications/deliveries/${sms.id}/retry`,
        undefined,
        'operator',
      ),
    ).toMatchObject({ status: 422, body: { code: 'DELIVERY_NOT_DEAD' } });
    expect(
      await call(
        'POST',
        '/v1/admin/notifications/deliveries/0190a000-0000-7000-8000-00000000ffff/retry',
        undefined,
        'operator',
      ),
    ).toMatchObject({ status: 404, body: { code: 'DELIVERY_NOT_FOUND' } });
    expect(
      await call('POST', '/v1/admin/notifications/deliveries/42/retry', undefined, 'operator'),
    ).toMatchObject({ status: 400, body: { code: 'ID_INVALID' } });

    const templates = await call(
      'GET',
      '/v1/admin/notification-templates?key=order.shipped',
      undefined,
      'operator',
    );
    expect(templates.body.items).toEqual([
      expect.objectContaining({ key: 'order.shipped', channel: 'EMAIL', locale: 'zh-CN' }),
    ]);
    const put = await call(
      'PUT',
      '/v1/admin/notification-templates/order.shipped/EMAIL/en',
      { subject: 'Shipped', body: 'Tracking {{trackingNumber}}' },
      'operator',
    );
    expect(put).toMatchObject({ status: 200, body: { channel: 'EMAIL', locale: 'en' } });
    expect(notification.last('updateTemplate')).toMatchObject({
      template: {
        key: 'order.shipped',
        channel: 'CHANNEL_EMAIL',
        locale: 'en',
        subject: 'Shipped',
      },
      operatorId: OPERATOR,
    });
    expect(
      await call('PUT', '/v1/admin/notification-templates/nope/SMS/en', { body: 'x' }, 'operator'),
    ).toMatchObject({ status: 404, body: { code: 'TEMPLATE_NOT_FOUND' } });
    for (const path of [
      '/v1/admin/notification-templates/order.shipped/FAX/en',
      '/v1/admin/notification-templates/order.shipped/EMAIL/fr',
      '/v1/admin/notification-templates/Order%20Shipped/EMAIL/en',
    ])
      expect(await call('PUT', path, { body: 'x' }, 'operator')).toMatchObject({
        status: 400,
        body: { code: 'PATH_PARAMETER_INVALID' },
      });
    expect(
      await call(
        'PUT',
        '/v1/admin/notification-templates/order.shipped/EMAIL/en',
        { body: '' },
        'operator',
      ),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });

  it('passes a signed receipt on as it came (204), and refuses a forged or unsigned one', async () => {
    const receipt = {
      providerMessageId: 'sbx-sms-1',
      status: 'DELIVERED',
      occurredAt: '2026-12-01T00:00:05Z',
    };
    const signature = receiptSignature('sandbox-sms', receipt);
    const ok = await call('POST', '/v1/notifications/receipts/sandbox-sms', receipt, undefined, {
      'x-signature': signature,
    });
    expect(ok.status).toBe(204);
    expect(notification.last('recordReceipt')).toEqual({
      provider: 'sandbox-sms',
      ...receipt,
      errorCode: '',
      signature,
    });
    // the same receipt signed with another key, or changed after signing
    const forged = await call(
      'POST',
      '/v1/notifications/receipts/sandbox-sms',
      receipt,
      undefined,
      {
        'x-signature': receiptSignature('sandbox-sms', receipt, 'not-the-secret'),
      },
    );
    expect(forged).toMatchObject({ status: 403, body: { code: 'RECEIPT_SIGNATURE_INVALID' } });
    const tampered = await call(
      'POST',
      '/v1/notifications/receipts/sandbox-sms',
      { ...receipt, status: 'UNDELIVERED' },
      undefined,
      { 'x-signature': signature },
    );
    expect(tampered).toMatchObject({ status: 403, body: { code: 'RECEIPT_SIGNATURE_INVALID' } });
    const calls = callsOf('recordReceipt');
    const unsigned = await call('POST', '/v1/notifications/receipts/sandbox-sms', receipt);
    expect(unsigned).toMatchObject({ status: 401, body: { code: 'SIGNATURE_REQUIRED' } });
    expect(
      await call('POST', '/v1/notifications/receipts/sandbox-sms', receipt, undefined, {
        'x-signature': 'not-hex',
      }),
    ).toMatchObject({ status: 401 });
    for (const bad of [
      { ...receipt, status: 'READ' },
      { ...receipt, occurredAt: 'yesterday' },
      { status: 'DELIVERED', occurredAt: receipt.occurredAt },
    ])
      expect(
        await call('POST', '/v1/notifications/receipts/sandbox-sms', bad, undefined, {
          'x-signature': signature,
        }),
      ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(
      await call('POST', '/v1/notifications/receipts/Sandbox%20SMS', receipt, undefined, {
        'x-signature': signature,
      }),
    ).toMatchObject({ status: 400, body: { code: 'PATH_PARAMETER_INVALID' } });
    expect(callsOf('recordReceipt')).toBe(calls);
    const unknown = { ...receipt, providerMessageId: 'sbx-sms-404' };
    expect(
      await call('POST', '/v1/notifications/receipts/sandbox-sms', unknown, undefined, {
        'x-signature': receiptSignature('sandbox-sms', unknown),
      }),
    ).toMatchObject({ status: 404, body: { code: 'RECEIPT_UNKNOWN' } });
  });

  it('unsubscribes from a mail link: JSON for programs, a page for browsers, no sign-in', async () => {
    const path = `/v1/notifications/unsubscribe?token=${encodeURIComponent(GOOD_UNSUBSCRIBE_TOKEN)}`;
    const json = await call('GET', path);
    expect(json).toMatchObject({ status: 200, body: { unsubscribed: true } });
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect(notification.last('unsubscribe')).toEqual({ token: GOOD_UNSUBSCRIBE_TOKEN });
    const page = await call('GET', path, undefined, undefined, {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(page.text).toContain('You are unsubscribed');
    expect(page.text).not.toContain(GOOD_UNSUBSCRIBE_TOKEN);
    expect(await call('GET', '/v1/notifications/unsubscribe?token=forged.token')).toMatchObject({
      status: 400,
      body: { code: 'UNSUBSCRIBE_TOKEN_INVALID' },
    });
    expect(await call('GET', '/v1/notifications/unsubscribe')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
  });

  it('takes the RFC 8058 one-click POST as a URL-encoded or multipart form', async () => {
    const path = `/v1/notifications/unsubscribe?token=${encodeURIComponent(GOOD_UNSUBSCRIBE_TOKEN)}`;
    const before = callsOf('unsubscribe');
    const encoded = await call('POST', path, 'List-Unsubscribe=One-Click', undefined, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(encoded).toMatchObject({ status: 200, body: { unsubscribed: true } });
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect(await call('POST', path, form)).toMatchObject({ status: 200 });
    expect(callsOf('unsubscribe')).toBe(before + 2);
    for (const [body, type] of [
      ['List-Unsubscribe=Two-Clicks', 'application/x-www-form-urlencoded'],
      ['other=1', 'application/x-www-form-urlencoded'],
    ])
      expect(await call('POST', path, body, undefined, { 'content-type': type })).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
    expect(await call('POST', path)).toMatchObject({
      status: 400,
      body: { code: 'BODY_REQUIRED' },
    });
    expect(
      await call('POST', path, 'List-Unsubscribe=One-Click', undefined, {
        'content-type': 'text/plain',
      }),
    ).toMatchObject({ status: 415 });
    expect(callsOf('unsubscribe')).toBe(before + 2);
    // form bodies stay refused everywhere else
    expect(
      await call('PUT', '/v1/me/notification-preferences', 'channels=1', 'alice', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
    ).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('rate-limits the unsubscribe link per address: 429 with Retry-After', async () => {
    let limited;
    for (let i = 0; i < UNSUBSCRIBE_LIMIT + 1 && !limited; i++) {
      const r = await call('GET', '/v1/notifications/unsubscribe?token=forged.token');
      if (r.status === 429) limited = r;
      else expect(r.status).toBe(400);
    }
    expect(limited).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
