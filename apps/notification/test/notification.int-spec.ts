import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import {
  CATALOG_STOCK,
  MARKETING_COUPON,
  USER_ACCOUNT,
  notificationV1,
  ORDER_ORDER,
  PROTO_FILES,
  type EventType,
} from '@emporia/contracts';
import { FakeClock } from '@emporia/domain/testing';
import { createKafka, newEvent, topicName, toWireMessage } from '@emporia/messaging';
import { metricsRegistry, type RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  startTcpProxy,
  testEnv,
  testLogger,
  uniqueSuffix,
  type TcpProxy,
  grpcFailure,
} from '@emporia/testing';
import { signReceipt } from '../src/application/signing';
import { notificationConfigSchema } from '../src/config';
import { startNotification } from '../src/notification.app';
import { startFakeUser, type FakeUser } from './fake-user';

jest.setTimeout(120_000);

const MIN = 60_000;
const SANDBOX_SECRET = 'sandbox-secret-for-the-integration-test';

const sinkEnv = (name: 'SMTP_SINK_URL' | 'MAIL_SINK_API_URL') => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with deploy/local/env.sh (the mail sink)`);
  return v;
};

interface SinkMessage {
  ID: string;
  MessageID: string;
  Subject: string;
}

/** The mail sink's messages to one address (each test uses addresses of its own). */
async function mailTo(address: string): Promise<SinkMessage[]> {
  const res = await fetch(
    `${sinkEnv('MAIL_SINK_API_URL')}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`,
  );
  if (!res.ok) throw new Error(`mail sink search: ${res.status}`);
  return ((await res.json()) as { messages: SinkMessage[] }).messages;
}

async function mailBody(id: string): Promise<{ Text: string; HTML: string; MessageID: string }> {
  const res = await fetch(`${sinkEnv('MAIL_SINK_API_URL')}/api/v1/message/${id}`);
  return (await res.json()) as { Text: string; HTML: string; MessageID: string };
}

async function mailHeaders(id: string): Promise<Record<string, string[]>> {
  const res = await fetch(`${sinkEnv('MAIL_SINK_API_URL')}/api/v1/message/${id}/headers`);
  return (await res.json()) as Record<string, string[]>;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The notification service on real Postgres, Kafka and the mail sink (Mailpit), with a fake user
 * service at its gRPC boundary, a clock the test moves (quiet hours, backoff), SMTP through a
 * proxy the test can cut, and the sandbox SMS/push providers handing receipts to the service.
 */
describe('notification service (real Postgres + Kafka + SMTP sink)', () => {
  const suffix = uniqueSuffix();
  const prefix = `ntf${suffix}.`;
  // 12:00 in Shanghai: outside the default quiet hours (22:00-08:00)
  const clock = new FakeClock(new Date('2030-03-04T04:00:00Z'));
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let user: FakeUser;
  let smtp: TcpProxy;
  let pg: Client;
  let producer: Producer;
  let client: ReturnType<typeof grpcTestClient>;
  const operator = `ops-${suffix}@emporia.test`;

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;

  const publish = async <T>(
    type: EventType<T>,
    key: string,
    message: T,
    eventId = randomUUID(),
  ) => {
    const e = newEvent(type, topicName(prefix, type.topic), key, message, { eventId });
    await producer.send({
      topic: e.topic,
      messages: [toWireMessage(e)].map((w) => ({ key: w.key, value: w.value, headers: w.headers })),
    });
    return eventId;
  };

  const deliveries = async (eventId: string) =>
    (
      await pg.query<{
        id: string;
        channel: string;
        recipient: string;
        status: string;
        attempts: number;
        reason: string;
        next_attempt_at: Date | null;
        provider_message_id: string | null;
      }>(`SELECT * FROM deliveries WHERE event_id = $1 ORDER BY channel, recipient`, [eventId])
    ).rows;

  const email = async (eventId: string, status: string) =>
    eventually(
      async () => {
        const d = (await deliveries(eventId)).find((x) => x.channel === 'EMAIL');
        return d?.status === status ? d : undefined;
      },
      { what: `the e-mail of ${eventId} ${status}`, timeoutMs: 30_000 },
    );

  const customer = (
    over: { email?: string; phone?: string; consents?: string[]; locale?: string } = {},
  ) => {
    const id = randomUUID();
    user.accounts.set(id, { id, email: `c-${randomUUID().slice(0, 8)}@emporia.test`, ...over });
    return user.accounts.get(id)!;
  };

  beforeAll(async () => {
    db = await createTestDatabase('notification_it');
    user = await startFakeUser();
    const sink = new URL(sinkEnv('SMTP_SINK_URL'));
    smtp = await startTcpProxy({ host: sink.hostname, port: Number(sink.port) });
    const config = notificationConfigSchema.parse({
      NOTIFICATION_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      NOTIFICATION_CONSUMER_GROUP: `notification-it-${suffix}`,
      NOTIFICATION_GRPC_PORT: String(await freePort()),
      NOTIFICATION_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      NOTIFICATION_MIGRATE_ON_START: 'true',
      USER_GRPC_URL: user.url,
      GRPC_DEADLINE_MS: '1000',
      SMTP_URL: smtp.url(sinkEnv('SMTP_SINK_URL')),
      SMTP_TIMEOUT_MS: '3000',
      NOTIFICATION_PUBLIC_BASE_URL: 'http://shop.test',
      NOTIFICATION_UNSUBSCRIBE_SECRET: 'unsubscribe-secret-of-the-integration-test',
      NOTIFICATION_SANDBOX_ENABLED: 'true',
      NOTIFICATION_SANDBOX_SECRET: SANDBOX_SECRET,
      NOTIFICATION_SANDBOX_RECEIPT_DELAY_MS: '50',
      NOTIFICATION_OPERATOR_EMAILS: operator,
      NOTIFICATION_SEND_INTERVAL_MS: '200',
      NOTIFICATION_MAX_ATTEMPTS: '2',
      NOTIFICATION_RETRY_BASE_MS: '1000',
    });
    service = await startNotification(config, testLogger('notification'), { clock });
    client = grpcTestClient(
      PROTO_FILES.notification,
      'emporia.notification.v1.NotificationService',
      service.grpcUrl!,
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const kafka = createKafka({
      brokers: testEnv.kafkaBrokers().split(','),
      clientId: 'notification-it',
      logger: testLogger('kafka'),
    });
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    client?.close();
    await producer?.disconnect();
    await pg?.end();
    await service?.close();
    await smtp?.close();
    await user?.stop();
    await db?.drop();
  });

  it('a ShipmentShipped published twice (same event-id) mails exactly once, with the tracking number', async () => {
    const c = customer({ phone: '+8613800138000' });
    const shipment = {
      orderId: randomUUID(),
      accountId: c.id,
      shipmentId: randomUUID(),
      carrier: 'SF Express',
      trackingNumber: `SF${suffix}`,
      shippedAt: clock.now().toISOString(),
    };
    const eventId = await publish(ORDER_ORDER.events.ShipmentShipped, shipment.orderId, shipment);
    await publish(ORDER_ORDER.events.ShipmentShipped, shipment.orderId, shipment, eventId);
    const sent = await email(eventId, 'SENT');
    const mails = await eventually(async () => {
      const m = await mailTo(c.email!);
      return m.length > 0 ? m : undefined;
    });
    await settle(1500); // the second copy has had every chance to arrive
    expect(await mailTo(c.email!)).toHaveLength(1);
    expect(mails[0]!.Subject).toBe(`订单 ${shipment.orderId} 已发货`);
    const body = await mailBody(mails[0]!.ID);
    expect(body.Text).toContain(`SF${suffix}`);
    expect(body.HTML).toContain(`SF${suffix}`);
    expect(body.MessageID).toBe(`${sent.id}@emporia`);
    // transactional mail has no unsubscribe header
    expect((await mailHeaders(mails[0]!.ID))['List-Unsubscribe']).toBeUndefined();
    const rows = await deliveries(eventId);
    expect(rows.map((r) => `${r.channel} ${r.reason || r.status}`)).toEqual([
      'EMAIL SENT',
      'PUSH NO_ADDRESS',
      expect.stringMatching(/^SMS (SENT|DELIVERED)$/),
    ]);
    const inbox = await pg.query(`SELECT count(*)::int AS n FROM inbox WHERE event_id = $1`, [
      eventId,
    ]);
    expect(inbox.rows[0].n).toBe(1);
  });

  it('sandbox receipts: a signed one marks DELIVERED (or UNDELIVERED for …0000), a forged one is refused', async () => {
    const ok = customer({ phone: '+8613800138001' });
    const unreachable = customer({ phone: '+8613800130000' });
    const ids: string[] = [];
    for (const c of [ok, unreachable]) {
      const paid = {
        orderId: randomUUID(),
        accountId: c.id,
        amountPaid: { amountMinor: 12345, currency: 'CNY' },
        paidAt: clock.now().toISOString(),
      };
      ids.push(await publish(ORDER_ORDER.events.OrderPaid, paid.orderId, paid));
    }
    const sms = async (eventId: string, status: string) =>
      eventually(
        async () => {
          const d = (await deliveries(eventId)).find((x) => x.channel === 'SMS');
          return d?.status === status ? d : undefined;
        },
        { what: `SMS ${status}` },
      );
    const delivered = await sms(ids[0]!, 'DELIVERED');
    const undelivered = await sms(ids[1]!, 'UNDELIVERED');
    expect(undelivered.provider_message_id).toMatch(/^sms-/);
    // a receipt signed with another key is refused and changes nothing
    const forged = {
      provider: 'sandbox-sms',
      providerMessageId: undelivered.provider_message_id!,
      status: 'DELIVERED',
      occurredAt: clock.now().toISOString(),
      errorCode: '',
    };
    const err = await failure(
      call('recordReceipt', {
        ...forged,
        signature: signReceipt('not-the-sandbox-secret', forged),
      }),
    );
    expect(err).toMatchObject({ code: 'RECEIPT_SIGNATURE_INVALID', status: 7 }); // PERMISSION_DENIED
    expect((await sms(ids[1]!, 'UNDELIVERED')).id).toBe(undelivered.id);
    // the genuine key is accepted over gRPC too
    const genuine = await call<notificationV1.RecordReceiptResponse>('recordReceipt', {
      ...forged,
      signature: signReceipt(SANDBOX_SECRET, forged),
    });
    expect(genuine.delivery?.status).toBe('DELIVERY_STATUS_DELIVERED');
    // the customer's view masks the recipient
    const log = await call<notificationV1.ListDeliveriesResponse>('listDeliveries', {
      accountId: ok.id,
      customerView: true,
    });
    expect(log.deliveries.map((d) => d.recipient)).toContain('+86138****8001');
    expect(log.deliveries.find((d) => d.id === delivered.id)?.status).toBe(
      'DELIVERY_STATUS_DELIVERED',
    );
  });

  it('quiet hours: a CouponExpiring is HELD while an OrderPaid at the same moment is mailed; it goes after the window', async () => {
    const c = customer({ consents: ['MARKETING_EMAIL'], locale: 'en' });
    clock.advance(11 * 60 * MIN + 30 * MIN); // 23:30 in Shanghai
    try {
      const couponEvent = {
        coupon: { code: `C${suffix}` } as never,
        accountId: c.id,
        benefit: '50 off 300',
        expiresAt: new Date(clock.now().getTime() + 24 * 60 * MIN).toISOString(),
      };
      const couponId = await publish(
        MARKETING_COUPON.events.CouponExpiring,
        `C${suffix}`,
        couponEvent,
      );
      const paid = {
        orderId: randomUUID(),
        accountId: c.id,
        amountPaid: { amountMinor: 9900, currency: 'CNY' },
        paidAt: clock.now().toISOString(),
      };
      const paidId = await publish(ORDER_ORDER.events.OrderPaid, paid.orderId, paid);
      await email(paidId, 'SENT');
      const held = await email(couponId, 'HELD');
      expect(held.reason).toBe('QUIET_HOURS');
      expect(held.next_attempt_at?.toISOString()).toBe('2030-03-05T00:00:00.000Z'); // 08:00 Shanghai
      await settle(1000);
      expect((await mailTo(c.email!)).map((m) => m.Subject)).toEqual([
        `Order ${paid.orderId} is paid`,
      ]);
      clock.advance(8 * 60 * MIN + 31 * MIN); // 08:01
      const sent = await email(couponId, 'SENT');
      const mails = await eventually(async () => {
        const m = await mailTo(c.email!);
        return m.length === 2 ? m : undefined;
      });
      const coupon = mails.find((m) => m.MessageID === `${sent.id}@emporia`)!;
      expect(coupon.Subject).toBe('Your coupon expires soon');
      const headers = await mailHeaders(coupon.ID);
      expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click']);
      const link = /<(http:\/\/shop\.test\/v1\/notifications\/unsubscribe\?token=[^>]+)>/.exec(
        headers['List-Unsubscribe']![0]!,
      )![1]!;
      expect((await mailBody(coupon.ID)).Text).toContain(link);

      // the link's token turns marketing mail off (twice: the same answer); a bad one is refused
      const token = new URL(link).searchParams.get('token')!;
      const first = await call<notificationV1.UnsubscribeResponse>('unsubscribe', { token });
      expect(first.accountId).toBe(c.id);
      const marketing = first.preferences!.channels.find(
        (x) => x.category === 'MESSAGE_CATEGORY_MARKETING',
      )!;
      expect(marketing.email).toBe(false);
      expect(
        (await call<notificationV1.UnsubscribeResponse>('unsubscribe', { token })).accountId,
      ).toBe(c.id);
      expect(await failure(call('unsubscribe', { token: `${token}x` }))).toMatchObject({
        code: 'UNSUBSCRIBE_TOKEN_INVALID',
      });
      const again = await publish(MARKETING_COUPON.events.CouponExpiring, `C${suffix}`, {
        ...couponEvent,
        expiresAt: clock.now().toISOString(),
      });
      const skipped = await email(again, 'SKIPPED');
      expect(skipped.reason).toBe('CHANNEL_OFF');
      await settle(800);
      expect(await mailTo(c.email!)).toHaveLength(2);
    } finally {
      clock.advance(-(20 * 60 * MIN + 1 * MIN)); // back to noon of the first day
    }
  });

  it('SMTP down: retries with backoff, then DEAD (counted); RetryDelivery sends it once SMTP is back', async () => {
    const c = customer();
    await smtp.cut('refuse');
    let restored = false;
    try {
      const paid = {
        orderId: randomUUID(),
        accountId: c.id,
        amountPaid: { amountMinor: 100, currency: 'CNY' },
        paidAt: clock.now().toISOString(),
      };
      const eventId = await publish(ORDER_ORDER.events.OrderPaid, paid.orderId, paid);
      const first = await eventually(
        async () => {
          const d = (await deliveries(eventId)).find((x) => x.channel === 'EMAIL');
          return d && d.attempts === 1 ? d : undefined;
        },
        { what: 'the first failed attempt' },
      );
      expect(first.status).toBe('PENDING');
      // not due again before the backoff (1 s of the test's clock, plus jitter)
      expect(first.next_attempt_at!.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(1000);
      await settle(600);
      expect((await deliveries(eventId)).find((x) => x.channel === 'EMAIL')!.attempts).toBe(1);
      clock.advance(1300);
      const dead = await email(eventId, 'DEAD');
      expect(dead.attempts).toBe(2);
      const metrics = await metricsRegistry.getSingleMetricAsString(
        'emporia_notification_dead_letters_total',
      );
      expect(metrics).toMatch(/emporia_notification_dead_letters_total\{channel="EMAIL"\} [1-9]/);
      await smtp.restore();
      restored = true;
      const retried = await call<notificationV1.RetryDeliveryResponse>('retryDelivery', {
        deliveryId: dead.id,
        operatorId: 'op-1',
      });
      expect(retried.delivery?.status).toBe('DELIVERY_STATUS_PENDING');
      await email(eventId, 'SENT');
      await eventually(async () => ((await mailTo(c.email!)).length === 1 ? true : undefined));
      expect(await failure(call('retryDelivery', { deliveryId: dead.id }))).toMatchObject({
        code: 'DELIVERY_NOT_DEAD',
      });
    } finally {
      if (!restored) await smtp.restore();
    }
  });

  it('user down: the event waits and is delivered once user answers; low stock reaches the operators', async () => {
    const c = customer();
    user.down = true;
    const paid = {
      orderId: randomUUID(),
      accountId: c.id,
      amountPaid: { amountMinor: 100, currency: 'CNY' },
      paidAt: clock.now().toISOString(),
    };
    const eventId = await publish(ORDER_ORDER.events.OrderPaid, paid.orderId, paid);
    const callsBefore = user.calls;
    await eventually(async () => (user.calls > callsBefore + 1 ? true : undefined), {
      what: 'retries against user',
    });
    expect(await deliveries(eventId)).toHaveLength(0);
    user.down = false;
    await email(eventId, 'SENT');

    const low = {
      skuId: randomUUID(),
      skuCode: `SKU-${suffix}`,
      productId: randomUUID(),
      productTitle: 'Green <tea>',
      warehouseCode: 'SH-1',
      available: 2,
      threshold: 5,
      occurredAt: clock.now().toISOString(),
    };
    const lowId = await publish(CATALOG_STOCK.events.StockLow, low.skuId, low);
    await email(lowId, 'SENT');
    const mail = await eventually(async () => (await mailTo(operator))[0]);
    expect(mail.Subject).toBe(`库存预警：SKU-${suffix} @ SH-1`);
    expect((await mailBody(mail.ID)).HTML).toContain('Green &lt;tea&gt;');
  });

  it("preferences, templates and the operators' log over gRPC", async () => {
    const accountId = randomUUID();
    const bad = await failure(
      call('updatePreferences', {
        accountId,
        preferences: {
          quietHoursStart: '23:00',
          quietHoursEnd: '',
          timeZone: '',
          locale: '',
          channels: [],
        },
      }),
    );
    expect(bad).toMatchObject({ code: 'QUIET_HOURS_INVALID' });
    expect(
      await failure(
        call('updatePreferences', {
          accountId,
          preferences: { timeZone: 'Nowhere/City', channels: [] },
        }),
      ),
    ).toMatchObject({ code: 'TIME_ZONE_INVALID' });
    const saved = await call<notificationV1.UpdatePreferencesResponse>('updatePreferences', {
      accountId,
      preferences: {
        quietHoursStart: '21:00',
        quietHoursEnd: '07:30',
        timeZone: 'Europe/Berlin',
        locale: 'en',
        channels: [{ category: 'MESSAGE_CATEGORY_ORDER', email: true, sms: false, push: true }],
      },
    });
    expect(saved.preferences).toMatchObject({
      quietHoursStart: '21:00',
      timeZone: 'Europe/Berlin',
      locale: 'en',
    });
    const got = await call<notificationV1.GetPreferencesResponse>('getPreferences', { accountId });
    expect(
      got.preferences?.channels.find((x) => x.category === 'MESSAGE_CATEGORY_ORDER'),
    ).toMatchObject({ email: true, sms: false, push: true });

    const { templates } = await call<notificationV1.ListTemplatesResponse>('listTemplates', {});
    // 7 keys × 3 channels × 2 locales, and the security ones (codes by SMS, notices by e-mail and SMS)
    expect(templates).toHaveLength(42 + 2 + 2 * 2 * 2);
    const t = {
      key: 'order.delivered',
      channel: 'CHANNEL_PUSH',
      locale: 'en',
      subject: '',
      body: 'Delivered: {{order_id}}',
    };
    const updated = await call<notificationV1.UpdateTemplateResponse>('updateTemplate', {
      template: t,
      operatorId: 'op-1',
    });
    expect(updated.template?.variables).toEqual(['order_id']);
    expect(
      await failure(call('updateTemplate', { template: { ...t, body: '{{secret}}' } })),
    ).toMatchObject({ code: 'TEMPLATE_INVALID' });
    expect(
      await failure(call('updateTemplate', { template: { ...t, key: 'order.lost' } })),
    ).toMatchObject({ code: 'TEMPLATE_NOT_FOUND' });

    const page = await call<notificationV1.ListDeliveriesResponse>('listDeliveries', {
      channel: 'CHANNEL_EMAIL',
      pageSize: 2,
    });
    expect(page.deliveries).toHaveLength(2);
    const next = await call<notificationV1.ListDeliveriesResponse>('listDeliveries', {
      channel: 'CHANNEL_EMAIL',
      pageSize: 2,
      pageToken: page.nextPageToken,
    });
    expect(next.deliveries[0]!.id < page.deliveries[1]!.id).toBe(true);
    expect(
      page.deliveries.every((d) => d.channel === 'CHANNEL_EMAIL' && !d.recipient.includes('***')),
    ).toBe(true);
  });

  it('one-time codes go out at once, masked in the log, read back from the sandbox phone', async () => {
    const phone = `+86137${String(Date.now() % 1e8).padStart(8, '0')}`;
    const sent = await call<notificationV1.SendOneTimeCodeResponse>('sendOneTimeCode', {
      accountId: '',
      phone,
      code: '271828',
      purpose: 'PHONE_CHANGE',
      locale: 'en',
      validMinutes: 5,
    });
    const { messages } = await call<notificationV1.ListSandboxMessagesResponse>(
      'listSandboxMessages',
      { phone },
    );
    expect(messages).toEqual([
      {
        to: phone,
        body: '[Emporia] Your verification code is 271828, valid for 5 minutes. Do not share it with anyone.',
        sentAt: expect.any(String),
        providerMessageId: sent.providerMessageId,
      },
    ]);
    // the log: SENT at once, then DELIVERED by the sandbox's receipt; the code never stored
    const row = await eventually(async () => {
      const r = (await pg.query(`SELECT * FROM deliveries WHERE id = $1`, [sent.deliveryId]))
        .rows[0] as Record<string, unknown> | undefined;
      return r?.status === 'DELIVERED' ? r : undefined;
    });
    expect(row).toMatchObject({ category: 'SECURITY', channel: 'SMS', account_id: null });
    expect(row.body).toContain('******');
    expect(JSON.stringify(row)).not.toContain('271828');
    expect(
      await failure(
        call('sendOneTimeCode', { phone, code: 'abc', purpose: 'LOGIN', validMinutes: 5 }),
      ),
    ).toMatchObject({ code: 'CODE_INVALID' });
  });

  it('a sign-in from a new device is mailed and texted whatever the preferences and the hour', async () => {
    const c = customer({ phone: `+86136${String(Date.now() % 1e8).padStart(8, '0')}` });
    await call('updatePreferences', {
      accountId: c.id,
      preferences: {
        quietHoursStart: '00:00',
        quietHoursEnd: '23:59',
        timeZone: '',
        locale: '',
        channels: ['ORDER', 'SERVICE', 'MARKETING'].map((x) => ({
          category: `MESSAGE_CATEGORY_${x}`,
          email: false,
          sms: false,
          push: false,
        })),
      },
    });
    const eventId = await publish(USER_ACCOUNT.events.LoginAnomaly, c.id, {
      accountId: c.id,
      kinds: ['NEW_DEVICE'],
      deviceId: 'laptop-9',
      ip: '223.5.5.5',
      detectedAt: clock.now().toISOString(),
      deviceName: 'Chrome 131 on Windows',
      place: '浙江省杭州市',
      signedInWith: 'PASSWORD',
    });
    await email(eventId, 'SENT');
    const sms = await eventually(async () => {
      const d = (await deliveries(eventId)).find((x) => x.channel === 'SMS');
      return d && ['SENT', 'DELIVERED'].includes(d.status) ? d : undefined;
    });
    expect(sms.recipient).toBe(c.phone);
    const mails = await eventually(async () => {
      const m = await mailTo(c.email!);
      return m.length > 0 ? m : undefined;
    });
    expect(mails[0]!.Subject).toBe('您的账户在新设备上登录');
    expect((await mailBody(mails[0]!.ID)).Text).toContain('设备：Chrome 131 on Windows');
    const { messages } = await call<notificationV1.ListSandboxMessagesResponse>(
      'listSandboxMessages',
      { phone: c.phone },
    );
    expect(messages[0]!.body).toContain('在新设备（Chrome 131 on Windows，浙江省杭州市）上登录');
  });
});
