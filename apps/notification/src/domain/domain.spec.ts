import { afterFailure, retryDelayMs } from './backoff';
import { applyReceipt, markFailed, retryDead, type Delivery } from './delivery';
import { maskEmail, maskPhone, maskRecipient } from './masking';
import { NotificationError } from './notification-error';
import { applyPreferencesUpdate, defaultPreferences, type PreferencesUpdate } from './preferences';
import { formatWallTime, quietHoursEnd } from './quiet-hours';
import { renderHtml, renderText, validateTemplate } from './template';
import { formatMoney, formatValues } from './values';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as NotificationError).code;
  }
  return 'no error';
};

describe('quiet hours', () => {
  const shanghai = { start: '22:00', end: '08:00', timeZone: 'Asia/Shanghai' };

  it('holds from the start until the end, across midnight, in the account time zone', () => {
    // 23:30 in Shanghai (15:30 UTC) -> ends 08:00 next morning Shanghai = 00:00 UTC
    expect(quietHoursEnd(new Date('2030-03-04T15:30:00Z'), shanghai)?.toISOString()).toBe(
      '2030-03-05T00:00:00.000Z',
    );
    // 03:00 in Shanghai (19:00 UTC the day before) -> ends 08:00 the same Shanghai day
    expect(quietHoursEnd(new Date('2030-03-04T19:00:00Z'), shanghai)?.toISOString()).toBe(
      '2030-03-05T00:00:00.000Z',
    );
    // exactly 22:00 is inside, exactly 08:00 is outside
    expect(quietHoursEnd(new Date('2030-03-04T14:00:00Z'), shanghai)).not.toBeNull();
    expect(quietHoursEnd(new Date('2030-03-05T00:00:00Z'), shanghai)).toBeNull();
    // noon in Shanghai: no quiet hours
    expect(quietHoursEnd(new Date('2030-03-04T04:00:00Z'), shanghai)).toBeNull();
  });

  it('the same instant is quiet in one zone and not in another', () => {
    const at = new Date('2030-03-04T15:30:00Z'); // 23:30 Shanghai, 16:30 London
    expect(quietHoursEnd(at, { ...shanghai, timeZone: 'Europe/London' })).toBeNull();
    expect(quietHoursEnd(at, { ...shanghai, timeZone: 'America/New_York' })).toBeNull();
    // 03:00 in New York (08:00 UTC) -> 08:00 New York = 13:00 UTC (EDT from 10 March 2030: still EST)
    expect(
      quietHoursEnd(new Date('2030-03-04T08:00:00Z'), {
        ...shanghai,
        timeZone: 'America/New_York',
      })?.toISOString(),
    ).toBe('2030-03-04T13:00:00.000Z');
  });

  it('a window within one day, and an empty one', () => {
    const lunch = { start: '12:00', end: '14:00', timeZone: 'UTC' };
    expect(quietHoursEnd(new Date('2030-03-04T13:00:00Z'), lunch)?.toISOString()).toBe(
      '2030-03-04T14:00:00.000Z',
    );
    expect(quietHoursEnd(new Date('2030-03-04T15:00:00Z'), lunch)).toBeNull();
    expect(
      quietHoursEnd(new Date('2030-03-04T13:00:00Z'), { ...lunch, start: '', end: '' }),
    ).toBeNull();
  });

  it('ends on the local wall time across a DST change', () => {
    // New York springs forward on 2030-03-10; 23:00 on the 9th (EST, 04:00Z) -> 08:00 EDT = 12:00Z
    expect(
      quietHoursEnd(new Date('2030-03-10T04:00:00Z'), {
        ...shanghai,
        timeZone: 'America/New_York',
      })?.toISOString(),
    ).toBe('2030-03-10T12:00:00.000Z');
  });

  it('formats wall time in a zone', () => {
    expect(formatWallTime(new Date('2030-03-04T16:05:00Z'), 'Asia/Shanghai')).toBe(
      '2030-03-05 00:05',
    );
  });
});

describe('templates', () => {
  it('renders text, and HTML with every variable escaped', () => {
    expect(
      renderText('Order {{order_id}} via {{ carrier }}', { order_id: 'o1', carrier: 'SF' }),
    ).toBe('Order o1 via SF');
    const html = renderHtml('Hi {{product_title}}\nline 2\n\npara', {
      product_title: '<script>alert("x")</script> & co',
    });
    expect(html).toBe(
      '<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co<br>line 2</p>\n<p>para</p>',
    );
  });

  it('refuses unknown variables, stray braces, empty bodies and subjects on SMS', () => {
    const ok = {
      key: 'order.shipped' as const,
      channel: 'EMAIL' as const,
      subject: 'S {{order_id}}',
      body: '{{tracking_number}}',
    };
    expect(code(() => validateTemplate(ok))).toBe('no error');
    expect(code(() => validateTemplate({ ...ok, body: '{{coupon}}' }))).toBe('TEMPLATE_INVALID');
    expect(code(() => validateTemplate({ ...ok, body: 'x {{order_id' }))).toBe('TEMPLATE_INVALID');
    expect(code(() => validateTemplate({ ...ok, subject: ' ' }))).toBe('TEMPLATE_INVALID');
    expect(code(() => validateTemplate({ ...ok, channel: 'SMS' }))).toBe('TEMPLATE_INVALID');
    expect(code(() => validateTemplate({ ...ok, channel: 'SMS', subject: '' }))).toBe('no error');
  });

  it('formats money in the locale and instants in the recipient zone', () => {
    expect(formatMoney(12345, 'CNY', 'zh-CN')).toBe('¥123.45');
    expect(formatMoney(12345, 'CNY', 'en')).toBe('CN¥123.45');
    expect(formatMoney(500, 'JPY', 'en')).toBe('¥500');
    expect(
      formatValues({ at: { instant: new Date('2030-03-04T16:00:00Z') } }, 'en', 'Asia/Shanghai').at,
    ).toBe('2030-03-05 00:00 (Asia/Shanghai)');
  });
});

describe('backoff', () => {
  it('doubles from the base, with up to a quarter of jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(1000, n, 0))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(1000, 3, 0.999)).toBeLessThan(5000);
    expect(retryDelayMs(1000, 3, 0.999)).toBeGreaterThan(4900);
  });

  it('dead after the last attempt, or at once when permanent', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const base = { maxAttempts: 3, permanent: false, now, baseMs: 1000, random: 0 };
    expect(afterFailure({ ...base, attempts: 2 })).toEqual({
      status: 'PENDING',
      nextAttemptAt: new Date('2030-01-01T00:00:02Z'),
    });
    expect(afterFailure({ ...base, attempts: 3 }).status).toBe('DEAD');
    expect(afterFailure({ ...base, attempts: 1, permanent: true }).status).toBe('DEAD');
  });
});

describe('masking', () => {
  it('masks addresses, phones and tokens', () => {
    expect(maskEmail('zhang.san@example.com')).toBe('z***@example.com');
    expect(maskPhone('+8613800138000')).toBe('+86138****8000');
    expect(maskRecipient('PUSH', 'abcdef123456')).toBe('abcd****');
    expect(maskRecipient('EMAIL', '')).toBe('');
  });
});

describe('preferences', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const base = defaultPreferences('a1', 'Asia/Shanghai');
  const upd: PreferencesUpdate = {
    channels: [],
    quietHoursStart: '22:00',
    quietHoursEnd: '07:00',
    timeZone: '',
    locale: '',
  };

  it('keeps the categories not listed, defaults the time zone', () => {
    const p = applyPreferencesUpdate(
      base,
      { ...upd, channels: [{ category: 'MARKETING', email: false, sms: false, push: true }] },
      'Asia/Shanghai',
      now,
    );
    expect(p.channels.MARKETING).toEqual({ email: false, sms: false, push: true });
    expect(p.channels.ORDER).toEqual({ email: true, sms: true, push: true });
    expect(p.timeZone).toBe('Asia/Shanghai');
    expect(p.updatedAt).toEqual(now);
  });

  it('refuses bad quiet hours, time zones, locales and categories', () => {
    const apply = (u: Partial<PreferencesUpdate>) =>
      code(() => applyPreferencesUpdate(base, { ...upd, ...u }, 'Asia/Shanghai', now));
    expect(apply({ quietHoursStart: '25:00' })).toBe('QUIET_HOURS_INVALID');
    expect(apply({ quietHoursEnd: '' })).toBe('QUIET_HOURS_INVALID');
    expect(apply({ quietHoursEnd: '22:00' })).toBe('QUIET_HOURS_INVALID');
    expect(apply({ timeZone: 'Mars/Olympus' })).toBe('TIME_ZONE_INVALID');
    expect(apply({ locale: 'fr' })).toBe('PREFERENCES_INVALID');
    expect(
      apply({ channels: [{ category: 'OPERATIONS', email: true, sms: true, push: true }] }),
    ).toBe('PREFERENCES_INVALID');
    expect(apply({ quietHoursStart: '', quietHoursEnd: '' })).toBe('no error');
  });
});

describe('delivery transitions', () => {
  const d = {
    id: 'd1',
    status: 'PENDING',
    attempts: 0,
    lastError: '',
    nextAttemptAt: new Date(0),
    deliveredAt: null,
  } as unknown as Delivery;
  const now = new Date('2030-01-01T00:00:00Z');

  it('retries, then dies; only a dead one can be retried by an operator', () => {
    const policy = { maxAttempts: 2, baseMs: 100 };
    const once = markFailed(d, { error: 'ECONNREFUSED', permanent: false }, policy, now, 0);
    expect(once).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'ECONNREFUSED' });
    const twice = markFailed(once, { error: 'ECONNREFUSED', permanent: false }, policy, now, 0);
    expect(twice).toMatchObject({ status: 'DEAD', attempts: 2, nextAttemptAt: null });
    expect(code(() => retryDead(once, now))).toBe('DELIVERY_NOT_DEAD');
    expect(retryDead(twice, now)).toMatchObject({
      status: 'PENDING',
      attempts: 0,
      nextAttemptAt: now,
    });
  });

  it('receipts apply to sent deliveries only, and twice changes nothing', () => {
    const sent = { ...d, status: 'SENT' } as Delivery;
    const delivered = applyReceipt(sent, { status: 'DELIVERED', at: now, errorCode: '' });
    expect(delivered).toMatchObject({ status: 'DELIVERED', deliveredAt: now });
    expect(applyReceipt(delivered, { status: 'DELIVERED', at: now, errorCode: '' })).toBe(
      delivered,
    );
    expect(code(() => applyReceipt(d, { status: 'DELIVERED', at: now, errorCode: '' }))).toBe(
      'DELIVERY_NOT_SENT',
    );
  });
});
