import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Money } from '@emporia/money';
import {
  FRAUD_FEATURES,
  FRAUD_SIGNALS,
  fraudFeatures,
  namedFeatures,
  NO_HISTORY,
  type FraudFacts,
} from './fraud-features';
import { NO_RETURNS } from './return-facts';
import { signalKey } from './rules';

const NOW = new Date('2026-11-25T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An honest-looking order: a year-old account's 3rd order, its device, IP and address known. */
const facts = (over: Partial<FraudFacts> = {}): FraudFacts => ({
  now: NOW,
  accountCreatedAt: new Date(NOW.getTime() - 365 * DAY),
  total: Money.of(12_000, 'CNY'),
  lineCount: 2,
  couponCount: 0,
  addressIssueCount: 0,
  listHits: 0,
  counts: {},
  history: {
    priorOrders: [
      { amountMinor: 10_000, currency: 'CNY' },
      { amountMinor: 14_000, currency: 'CNY' },
    ],
    firstOrderAt: new Date(NOW.getTime() - 300 * DAY),
    deviceSeen: true,
    ipSeen: true,
    addressSeen: true,
  },
  returns: { ...NO_RETURNS, deliveredLines: 4, returnedLines: 1, cancellations: 1 },
  has: { device: true, ip: true, address: true },
  ...over,
});
const features = (over: Partial<FraudFacts> = {}) => namedFeatures(fraudFeatures(facts(over)));

/** The fraud model's features: one pure function for training and serving. */
describe('fraud features', () => {
  it('are the features of the committed model, in its order (retrain when they change)', () => {
    const card = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'model', 'fraud-model.card.json'), 'utf8'),
    ) as { features: string[] };
    expect(card.features).toEqual([...FRAUD_FEATURES]);
  });

  it('one value per feature, in FRAUD_FEATURES order', () => {
    const values = fraudFeatures(facts());
    expect(values).toHaveLength(FRAUD_FEATURES.length);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it('an old account: its age, sign-up to first order, its own average, what it used before', () => {
    expect(features()).toMatchObject({
      account_age_days: 365,
      signup_to_first_order_hours: 65 * 24,
      hours_since_first_order: 300 * 24,
      prior_orders_90d: 2,
      order_total: 120,
      total_vs_account_mean: 1,
      line_count: 2,
      new_device_for_account: 0,
      new_ip_for_account: 0,
      new_address_for_account: 0,
      delivered_lines_90d: 4,
      return_rate_90d: 0.25,
      cancel_rate_90d: 0.5,
    });
  });

  it('a first order: sign-up to now, nothing to compare with, everything new', () => {
    expect(
      features({
        accountCreatedAt: new Date(NOW.getTime() - 90_000),
        history: { ...NO_HISTORY, firstOrderAt: NOW },
        returns: undefined,
        couponCount: 1,
      }),
    ).toMatchObject({
      account_age_days: Math.round((90 / 86_400) * 1e4) / 1e4,
      signup_to_first_order_hours: Math.round((90 / 3600) * 1e4) / 1e4,
      hours_since_first_order: 0,
      prior_orders_90d: 0,
      total_vs_account_mean: 0,
      coupon_count: 1,
      new_device_for_account: 1,
      new_ip_for_account: 1,
      new_address_for_account: 1,
      delivered_lines_90d: 0,
      return_rate_90d: 0,
      cancel_rate_90d: 0,
    });
  });

  it('an unknown account age is -1, and so is the time to its first order', () => {
    expect(features({ accountCreatedAt: null })).toMatchObject({
      account_age_days: -1,
      signup_to_first_order_hours: -1,
    });
  });

  it('a stolen-account shape: ten times its average, from a new device and IP to a new address', () => {
    expect(
      features({
        total: Money.of(120_000, 'CNY'),
        history: { ...facts().history, deviceSeen: false, ipSeen: false, addressSeen: false },
      }),
    ).toMatchObject({
      total_vs_account_mean: 10,
      new_device_for_account: 1,
      new_ip_for_account: 1,
      new_address_for_account: 1,
    });
  });

  it('compares with earlier orders in the same currency only; a missing value is never new', () => {
    const f = features({
      total: Money.of(5_000, 'USD'),
      history: {
        ...facts().history,
        priorOrders: [
          { amountMinor: 10_000, currency: 'CNY' },
          { amountMinor: 2_500, currency: 'USD' },
        ],
        deviceSeen: false,
      },
      has: { device: false, ip: true, address: true },
    });
    expect(f).toMatchObject({
      prior_orders_90d: 2,
      order_total: 50,
      total_vs_account_mean: 2,
      new_device_for_account: 0,
    });
  });

  it('reads each counter it declares, by its signal key (a missing one is 0)', () => {
    const counts = Object.fromEntries(FRAUD_SIGNALS.map((s, i) => [signalKey(s), i + 1]));
    const f = features({ counts });
    expect(f).toMatchObject({
      account_orders_1h: 1,
      account_orders_24h: 2,
      device_orders_24h: 3,
      address_orders_24h: 4,
      device_accounts_24h: 5,
      device_accounts_7d: 6,
      address_accounts_24h: 7,
      address_accounts_7d: 8,
      account_addresses_7d: 9,
      coupon_accounts_device_24h: 10,
      coupon_accounts_address_24h: 11,
      login_anomalies_24h: 12,
    });
    expect(features()).toMatchObject({ account_orders_1h: 0, login_anomalies_24h: 0 });
    expect(new Set(FRAUD_SIGNALS.map(signalKey)).size).toBe(FRAUD_SIGNALS.length);
  });

  it('the cancel rate is at most 1 (more cancellations than orders kept in the history)', () => {
    expect(features({ returns: { ...NO_RETURNS, cancellations: 9 } }).cancel_rate_90d).toBe(1);
  });
});
