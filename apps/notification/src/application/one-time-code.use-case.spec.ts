import { newContext } from '@emporia/platform';
import { retryDead } from '../domain/delivery';
import { harness } from '../testing/harness';

/**
 * One-time codes through the use case against the in-memory ports: sent at once through the SMS
 * provider, worded for the recipient, logged with the code masked.
 */
const ctx = newContext();
const ACC = '11111111-1111-4111-8111-111111111111';
const PHONE = '+8613800138000';

describe('one-time codes', () => {
  it('goes out at once with the code; the log keeps it masked, category SECURITY', async () => {
    const h = harness();
    const r = await h.codes.send(ctx, {
      accountId: ACC,
      phone: PHONE,
      code: '042917',
      purpose: 'LOGIN',
      locale: '',
      validMinutes: 5,
    });
    expect(h.sms.sent).toEqual([
      {
        deliveryId: r.deliveryId,
        to: PHONE,
        title: '',
        body: '【Emporia】验证码 042917，5 分钟内有效。请勿告诉他人。',
      },
    ]);
    const [logged] = h.deliveries();
    expect(logged).toMatchObject({
      id: r.deliveryId,
      channel: 'SMS',
      category: 'SECURITY',
      templateKey: 'auth.sms_code',
      status: 'SENT',
      provider: 'sandbox-sms',
      providerMessageId: r.providerMessageId,
      body: '【Emporia】验证码 ******，5 分钟内有效。请勿告诉他人。',
    });
    expect(JSON.stringify(logged)).not.toContain('042917');
    // never sent again from the log
    expect(() => retryDead({ ...logged, status: 'DEAD' }, h.clock.now())).toThrow(
      expect.objectContaining({ code: 'DELIVERY_NOT_RETRIABLE' }),
    );
  });

  it('in the locale asked for, else the account’s preference', async () => {
    const h = harness();
    const send = (locale: string) =>
      h.codes.send(ctx, { accountId: ACC, phone: PHONE, code: '1234', purpose: 'STEP_UP', locale });
    await send('en-US');
    expect(h.sms.sent.at(-1)!.body).toBe(
      '[Emporia] Your verification code is 1234, valid for 5 minutes. Do not share it with anyone.',
    );
    await h.account.updatePreferences(ctx, ACC, {
      channels: [],
      quietHoursStart: '',
      quietHoursEnd: '',
      timeZone: '',
      locale: 'en',
    });
    await send('');
    expect(h.sms.sent.at(-1)!.body).toContain('Your verification code is 1234');
  });

  it('refuses what cannot be a code request; a provider that refuses is UNAVAILABLE', async () => {
    const h = harness();
    const base = { accountId: ACC, phone: PHONE, code: '123456', purpose: 'LOGIN' };
    for (const [over, code] of [
      [{ phone: '13800138000' }, 'PHONE_INVALID'],
      [{ code: '12ab56' }, 'CODE_INVALID'],
      [{ purpose: 'MARKETING' }, 'PURPOSE_INVALID'],
      [{ accountId: 'nope' }, 'ID_INVALID'],
      [{ validMinutes: 90 }, 'VALIDITY_INVALID'],
      [{ locale: 'fr' }, 'LOCALE_INVALID'],
    ] as const)
      await expect(h.codes.send(ctx, { ...base, ...over })).rejects.toMatchObject({
        kind: 'INVALID_ARGUMENT',
        code,
      });
    // a number that is no account's yet (a phone change)
    await h.codes.send(ctx, { ...base, accountId: '' });
    expect(h.deliveries().at(-1)).toMatchObject({ accountId: null, status: 'SENT' });
    // a provider that refuses: the log says so, the caller hears UNAVAILABLE
    const failing = harness();
    (failing.sms as unknown as { send: () => Promise<never> }).send = () =>
      Promise.reject(new Error('provider down'));
    await expect(failing.codes.send(ctx, base)).rejects.toMatchObject({
      kind: 'UNAVAILABLE',
      code: 'SMS_UNAVAILABLE',
    });
    expect(failing.deliveries()[0]).toMatchObject({ status: 'DEAD', lastError: 'provider down' });
  });

  it('the sandbox inbox is only there with the sandbox on', () => {
    const h = harness();
    expect(() => h.codes.sandboxMessages(PHONE, 5)).toThrow(
      expect.objectContaining({ kind: 'FAILED_PRECONDITION', code: 'SANDBOX_DISABLED' }),
    );
  });
});
