import { minorUnitExponent, type Money } from '@emporia/money';
import type { ReturnStats } from './return-facts';
import { signalKey, type Signal } from './rules';

/**
 * The fraud model's features: one definition, pure. Risk computes them from what it gathers when
 * it scores an order (the counters of its signal store, the account's history there, the return
 * history, list hits) and the request; the training data are made by the same function, from
 * the same in-memory signal store replayed over simulated activity (tools/fraud-model), so what
 * the model was trained on and what it is served cannot drift apart. The committed model card
 * lists these names in this order (a test compares them).
 */
export const FRAUD_FEATURES = [
  'account_age_days',
  'signup_to_first_order_hours',
  'hours_since_first_order',
  'prior_orders_90d',
  'order_total',
  'total_vs_account_mean',
  'line_count',
  'coupon_count',
  'address_issues',
  'list_hits',
  'account_orders_1h',
  'account_orders_24h',
  'device_orders_24h',
  'address_orders_24h',
  'device_accounts_24h',
  'device_accounts_7d',
  'address_accounts_24h',
  'address_accounts_7d',
  'account_addresses_7d',
  'coupon_accounts_device_24h',
  'coupon_accounts_address_24h',
  'login_anomalies_24h',
  'new_device_for_account',
  'new_ip_for_account',
  'new_address_for_account',
  'delivered_lines_90d',
  'return_rate_90d',
  'refunds_without_return_90d',
  'cancel_rate_90d',
] as const;
export type FraudFeature = (typeof FRAUD_FEATURES)[number];

const HOUR = 3600;
const DAY = 86_400;
const WEEK = 7 * DAY;

/** How long the account's own history (orders, devices, IPs, addresses) is kept: 90 days. */
export const ACCOUNT_HISTORY_SECONDS = 90 * DAY;
/** The most earlier orders, and known devices, IPs and addresses, kept per account. */
export const ACCOUNT_HISTORY_MAX = 100;
/** How long the time of an account's first order is kept after its last order. */
export const FIRST_ORDER_TTL_SECONDS = 400 * DAY;
/** The window of the return history the features read (one of the windows of the same query). */
export const FRAUD_RETURN_WINDOW_SECONDS = 90 * DAY;

/**
 * The features that are counters of the signal store, and the counter each reads. Per actor only
 * (account, device, address): orders per IP are not a feature — how many orders one carrier NAT
 * address carries depends on the shop's traffic, not on the shopper, so what a model learnt of it
 * on one volume would not hold on another (the IP counts for the model as new to the account).
 */
const COUNTED = {
  account_orders_1h: { metric: 'orders', dimension: 'ACCOUNT', windowSeconds: HOUR },
  account_orders_24h: { metric: 'orders', dimension: 'ACCOUNT', windowSeconds: DAY },
  device_orders_24h: { metric: 'orders', dimension: 'DEVICE', windowSeconds: DAY },
  address_orders_24h: { metric: 'orders', dimension: 'ADDRESS', windowSeconds: DAY },
  device_accounts_24h: { metric: 'deviceAccounts', windowSeconds: DAY },
  device_accounts_7d: { metric: 'deviceAccounts', windowSeconds: WEEK },
  address_accounts_24h: { metric: 'addressAccounts', windowSeconds: DAY },
  address_accounts_7d: { metric: 'addressAccounts', windowSeconds: WEEK },
  account_addresses_7d: { metric: 'accountAddresses', windowSeconds: WEEK },
  coupon_accounts_device_24h: { metric: 'couponAccounts', dimension: 'DEVICE', windowSeconds: DAY },
  coupon_accounts_address_24h: {
    metric: 'couponAccounts',
    dimension: 'ADDRESS',
    windowSeconds: DAY,
  },
  login_anomalies_24h: { metric: 'loginAnomalies', windowSeconds: DAY },
} as const satisfies Partial<Record<FraudFeature, Signal>>;

/** The counters the features read, over fixed windows (added to the rules' in the same MULTI). */
export const FRAUD_SIGNALS: readonly Signal[] = Object.values(COUNTED);

/**
 * What the signal store knows of the account itself, read with the counters (the order being
 * scored left out of the earlier orders; it is recorded in the same call).
 */
export interface AccountHistory {
  /** The account's earlier orders risk saw in the last 90 days (at most 100), with their totals. */
  priorOrders: { amountMinor: number; currency: string }[];
  /** When risk first saw an order of the account (this one's time when it is the first). */
  firstOrderAt: Date | null;
  /** Whether the account ordered from this device, IP or address in the last 90 days. */
  deviceSeen: boolean;
  ipSeen: boolean;
  addressSeen: boolean;
}

export const NO_HISTORY: AccountHistory = Object.freeze({
  priorOrders: [],
  firstOrderAt: null,
  deviceSeen: false,
  ipSeen: false,
  addressSeen: false,
});

/** Everything the features are computed from. */
export interface FraudFacts {
  now: Date;
  /** When the account was made; null when the caller did not say. */
  accountCreatedAt: Date | null;
  total: Money;
  lineCount: number;
  couponCount: number;
  addressIssueCount: number;
  /** How many of the order's values are on a list. */
  listHits: number;
  /** Counts by `signalKey`, FRAUD_SIGNALS among them (a signal without a value is absent: 0). */
  counts: Readonly<Record<string, number>>;
  history: AccountHistory;
  /** The account's returns and cancellations over FRAUD_RETURN_WINDOW_SECONDS. */
  returns: ReturnStats | undefined;
  /** Whether the order has a device, IP and address (an empty one is never "new"). */
  has: { device: boolean; ip: boolean; address: boolean };
}

const hoursBetween = (from: Date, to: Date) =>
  Math.max(0, (to.getTime() - from.getTime()) / 3_600_000);

/** The features of one order, in FRAUD_FEATURES order. Unknown times are -1. */
export function fraudFeatures(f: FraudFacts): number[] {
  const counted = Object.fromEntries(
    Object.entries(COUNTED).map(([name, s]) => [name, f.counts[signalKey(s)] ?? 0]),
  ) as Record<keyof typeof COUNTED, number>;
  const h = f.history;
  const major = (minor: number, currency: string) => minor / 10 ** minorUnitExponent(currency);
  const same = h.priorOrders.filter((o) => o.currency === f.total.currency);
  const mean = same.length
    ? same.reduce((sum, o) => sum + o.amountMinor, 0) / same.length
    : undefined;
  const r = f.returns;
  const prior = h.priorOrders.length;
  const values: Record<FraudFeature, number> = {
    account_age_days: f.accountCreatedAt ? hoursBetween(f.accountCreatedAt, f.now) / 24 : -1,
    signup_to_first_order_hours:
      f.accountCreatedAt && h.firstOrderAt ? hoursBetween(f.accountCreatedAt, h.firstOrderAt) : -1,
    hours_since_first_order: h.firstOrderAt ? hoursBetween(h.firstOrderAt, f.now) : 0,
    prior_orders_90d: prior,
    order_total: major(f.total.amountMinor, f.total.currency),
    total_vs_account_mean: mean ? f.total.amountMinor / mean : 0,
    line_count: f.lineCount,
    coupon_count: f.couponCount,
    address_issues: f.addressIssueCount,
    list_hits: f.listHits,
    ...counted,
    new_device_for_account: f.has.device && !h.deviceSeen ? 1 : 0,
    new_ip_for_account: f.has.ip && !h.ipSeen ? 1 : 0,
    new_address_for_account: f.has.address && !h.addressSeen ? 1 : 0,
    delivered_lines_90d: r?.deliveredLines ?? 0,
    return_rate_90d: r && r.deliveredLines > 0 ? r.returnedLines / r.deliveredLines : 0,
    refunds_without_return_90d: r?.refundsWithoutReturn ?? 0,
    cancel_rate_90d: r && prior > 0 ? Math.min(1, r.cancellations / prior) : 0,
  };
  return FRAUD_FEATURES.map((name) => values[name]);
}

/** Features by name, for the audit trail (rounded to 4 decimals). */
export const namedFeatures = (values: readonly number[]): Record<string, number> =>
  Object.fromEntries(FRAUD_FEATURES.map((n, i) => [n, Math.round(values[i] * 1e4) / 1e4]));
