import { USER_ACCOUNT } from '@emporia/contracts';
import { newContext } from '@emporia/platform';
import { newEvent, toWireMessage, type ReceivedEvent } from '@emporia/messaging';
import { notificationEventsHandler } from './events.consumer';
import { harness } from '../testing/harness';

/**
 * Security notices through the consumer against the in-memory ports: a sign-in from a new device
 * and a changed setting are sent by e-mail and SMS whatever the preferences and quiet hours say.
 */
const ctx = newContext();
const ACC = '11111111-1111-4111-8111-111111111111';
const PHONE = '+8613800138000';

let n = 0;
function received<K extends keyof typeof USER_ACCOUNT.events>(
  type: K,
  payload: Parameters<(typeof USER_ACCOUNT.events)[K]['codec']['encode']>[0],
): ReceivedEvent {
  const wire = toWireMessage(
    newEvent(USER_ACCOUNT.events[type] as never, USER_ACCOUNT.name, ACC, payload as never, {
      eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    }),
  );
  return {
    ...wire,
    eventId: wire.headers['event-id'],
    eventType: wire.headers['event-type'],
    occurredAt: wire.headers['occurred-at'],
    partition: 0,
    offset: String(n),
  };
}

describe('security notices', () => {
  const everythingOff = async (h: ReturnType<typeof harness>) => {
    h.accounts.add({ accountId: ACC, email: 'li@example.com', phone: PHONE });
    await h.account.updatePreferences(ctx, ACC, {
      channels: ['ORDER', 'SERVICE', 'MARKETING'].map((category) => ({
        category,
        email: false,
        sms: false,
        push: false,
      })),
      quietHoursStart: '00:00',
      quietHoursEnd: '23:59',
      timeZone: 'Asia/Shanghai',
      locale: '',
    });
    await h.account.registerDevice(ctx, ACC, 'push-token-1', 'IOS');
  };

  it('a sign-in from a new device is told by e-mail and SMS, whatever the preferences', async () => {
    const h = harness();
    await everythingOff(h);
    const handle = notificationEventsHandler(h.notify);
    await handle(
      received('LoginAnomaly', {
        accountId: ACC,
        kinds: ['NEW_DEVICE', 'NEW_IP'],
        deviceId: 'laptop-1',
        ip: '203.0.113.9',
        detectedAt: '2030-03-04T04:00:00Z',
        deviceName: 'Chrome 131 on Windows',
        place: '浙江省杭州市',
        signedInWith: 'PASSWORD+TOTP',
      }),
    );
    const ds = h.deliveries();
    expect(ds.map((d) => [d.channel, d.status, d.category]).sort()).toEqual([
      ['EMAIL', 'PENDING', 'SECURITY'],
      ['SMS', 'PENDING', 'SECURITY'],
    ]);
    const mail = ds.find((d) => d.channel === 'EMAIL')!;
    expect(mail.subject).toBe('您的账户在新设备上登录');
    expect(mail.body).toContain('设备：Chrome 131 on Windows');
    expect(mail.body).toContain('地点：浙江省杭州市（203.0.113.9）');
    expect(mail.body).toContain('登录方式：密码 + 身份验证器');
    await h.sender.run(ctx);
    expect(h.email.sent).toHaveLength(1);
    expect(h.sms.sent).toHaveLength(1);
    expect(h.push.sent).toHaveLength(0);
    // a new address alone is not news to the owner
    await handle(
      received('LoginAnomaly', {
        accountId: ACC,
        kinds: ['NEW_IP'],
        deviceId: 'laptop-1',
        ip: '203.0.113.10',
        detectedAt: '2030-03-04T04:05:00Z',
        deviceName: '',
        place: '',
        signedInWith: 'PASSWORD',
      }),
    );
    expect(h.deliveries()).toHaveLength(2);
  });

  it('a security change is told in the account’s words', async () => {
    const h = harness();
    h.accounts.add({ accountId: ACC, email: 'li@example.com', phone: '', profileLocale: 'en' });
    const handle = notificationEventsHandler(h.notify);
    await handle(
      received('SecurityChanged', {
        accountId: ACC,
        change: 'PHONE',
        at: '2030-03-04T04:00:00Z',
        ip: '10.0.0.1',
        detail: '+86137****7000',
      }),
    );
    const ds = h.deliveries();
    expect(ds.find((d) => d.channel === 'SMS')).toMatchObject({
      status: 'SKIPPED',
      reason: 'NO_ADDRESS',
    });
    const mail = ds.find((d) => d.channel === 'EMAIL')!;
    expect(mail).toMatchObject({ status: 'PENDING', locale: 'en' });
    expect(mail.body).toContain('your phone number was changed to +86137****7000');
    await handle(
      received('SecurityChanged', {
        accountId: ACC,
        change: 'SOMETHING_NEW',
        at: '2030-03-04T04:00:00Z',
        ip: '',
        detail: '',
      }),
    );
    const mails = h.deliveries().filter((d) => d.channel === 'EMAIL');
    expect(mails.at(-1)!.body).toContain('a security setting changed (SOMETHING_NEW)');
  });
});
