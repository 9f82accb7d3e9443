import type { ChainableCommander, Redis } from 'ioredis';
import {
  quickAfterDelivery,
  type OrderAttempt,
  type OrderSignals,
  type ReviewAttempt,
  type SignalStore,
} from '../application/ports';
import {
  ACCOUNT_HISTORY_MAX,
  ACCOUNT_HISTORY_SECONDS,
  FIRST_ORDER_TTL_SECONDS,
  NO_HISTORY,
  type AccountHistory,
} from '../domain/fraud-features';
import { MAX_WINDOW_SECONDS, signalKey, type Signal } from '../domain/rules';

/** An earlier order in the account's history: `<order id>|<total minor units>|<currency>`. */
export const historyMember = (a: OrderAttempt) =>
  `${a.orderId}|${a.total.amountMinor}|${a.total.currency}`;

/** The earlier orders of a history read (this order left out), from their members. */
export function priorOrders(
  members: readonly string[],
  orderId: string,
): AccountHistory['priorOrders'] {
  return members.flatMap((m) => {
    const [id, amount, currency] = m.split('|');
    return id === orderId || !currency ? [] : [{ amountMinor: Number(amount), currency }];
  });
}

/**
 * Velocity counters as Redis sorted sets scored by time: an attempt is added (member = order
 * id, account id or address fingerprint, so a retried order, a returning account or an address
 * used again counts once) and every count the rules need is read in the same MULTI. Entries older than the longest window are trimmed and
 * idle keys expire.
 */
export class RedisSignalStore implements SignalStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private k(part: string): string {
    return `${this.prefix}risk:${part}`;
  }

  async recordOrder(
    a: OrderAttempt,
    signals: Signal[],
    now: Date,
    opts: { history?: boolean } = {},
  ): Promise<OrderSignals> {
    const t = now.getTime();
    const adds: [string, string][] = [];
    const dims = {
      ACCOUNT: a.accountId,
      IP: a.ip,
      ADDRESS: a.addressFingerprint,
      DEVICE: a.deviceId,
    };
    for (const [dim, value] of Object.entries(dims))
      if (value) adds.push([this.k(`o:${dim}:${value}`), a.orderId]);
    if (a.addressFingerprint) adds.push([this.k(`aa:${a.addressFingerprint}`), a.accountId]);
    if (a.accountId && a.addressFingerprint)
      adds.push([this.k(`ad:${a.accountId}`), a.addressFingerprint]);
    if (a.deviceId && a.accountId && signals.some((s) => s.metric === 'deviceAccounts'))
      adds.push([this.k(`da:${a.deviceId}`), a.accountId]);
    for (const s of signals)
      if (
        s.metric === 'smallOrders' &&
        a.addressFingerprint &&
        a.total.currency === s.amount.currency &&
        a.total.compare(s.amount) < 0
      )
        adds.push([
          this.k(`so:${s.amount.amountMinor}${s.amount.currency}:${a.addressFingerprint}`),
          a.orderId,
        ]);
    if (a.usesCoupons) {
      if (a.deviceId) adds.push([this.k(`ca:DEVICE:${a.deviceId}`), a.accountId]);
      if (a.addressFingerprint)
        adds.push([this.k(`ca:ADDRESS:${a.addressFingerprint}`), a.accountId]);
    }
    const keyOf = (s: Signal): string | null => {
      switch (s.metric) {
        case 'orders':
          return dims[s.dimension] ? this.k(`o:${s.dimension}:${dims[s.dimension]}`) : null;
        case 'addressAccounts':
          return a.addressFingerprint ? this.k(`aa:${a.addressFingerprint}`) : null;
        case 'deviceAccounts':
          return a.deviceId && a.accountId ? this.k(`da:${a.deviceId}`) : null;
        case 'accountAddresses':
          return a.accountId && a.addressFingerprint ? this.k(`ad:${a.accountId}`) : null;
        case 'smallOrders':
          return a.addressFingerprint
            ? this.k(`so:${s.amount.amountMinor}${s.amount.currency}:${a.addressFingerprint}`)
            : null;
        case 'couponAccounts': {
          const v = s.dimension === 'DEVICE' ? a.deviceId : a.addressFingerprint;
          return v ? this.k(`ca:${s.dimension}:${v}`) : null;
        }
        case 'loginAnomalies':
          return this.k(`la:${a.accountId}`);
        default:
          return null;
      }
    };
    if (!opts.history || !a.accountId) {
      const counts = await this.run(adds, signals, keyOf, t);
      // an order without an account has no history
      return opts.history ? { counts, history: NO_HISTORY } : { counts };
    }
    // the history's reads before the order is recorded (was this device, IP, address known?),
    // then the counters, then what the history holds with the order in it; one MULTI
    const known = this.k(`ak:${a.accountId}`);
    const orders = this.k(`oh:${a.accountId}`);
    const first = this.k(`fo:${a.accountId}`);
    const values = historyValues(a);
    const m = this.redis.multi();
    for (const [, member] of values) m.zscore(known, member);
    const counted = this.queue(m, adds, signals, keyOf, t);
    const keep = ACCOUNT_HISTORY_SECONDS * 1000;
    for (const [key, members] of [
      [known, values.map(([, v]) => v)],
      [orders, [historyMember(a)]],
    ] as const) {
      for (const member of members) m.zadd(key, t, member);
      m.zremrangebyscore(key, '-inf', t - keep)
        .zremrangebyrank(key, 0, -(ACCOUNT_HISTORY_MAX + 1))
        .pexpire(key, keep);
    }
    m.set(first, String(t), 'NX').pexpire(first, FIRST_ORDER_TTL_SECONDS * 1000);
    m.zrange(orders, '0', '-1').get(first);
    const res = (await m.exec()) ?? [];
    const value = (i: number): unknown => {
      const [err, v] = res[i];
      if (err) throw err;
      return v;
    };
    const seen = (name: HistoryValue) => {
      const i = values.findIndex(([n]) => n === name);
      const at = i < 0 ? null : value(i);
      return at !== null && Number(at) > t - keep;
    };
    // the ZSCOREs, then each add's three commands, then the counts
    const countsAt = values.length + adds.length * COMMANDS_PER_ADD;
    const counts = this.countsOf(res.slice(countsAt, countsAt + counted.length), counted);
    const firstAt = value(res.length - 1);
    return {
      counts,
      history: {
        priorOrders: priorOrders(value(res.length - 2) as string[], a.orderId),
        firstOrderAt: firstAt === null ? null : new Date(Number(firstAt)),
        deviceSeen: seen('device'),
        ipSeen: seen('ip'),
        addressSeen: seen('address'),
      },
    };
  }

  async recordLogin(
    a: { accountId: string; ip: string; attemptId: string },
    signals: Signal[],
    now: Date,
  ): Promise<Record<string, number>> {
    const adds: [string, string][] = [];
    if (a.ip) adds.push([this.k(`l:IP:${a.ip}`), a.attemptId]);
    if (a.accountId) adds.push([this.k(`l:ACCOUNT:${a.accountId}`), a.attemptId]);
    const keyOf = (s: Signal): string | null => {
      if (s.metric === 'logins') {
        const v = s.dimension === 'IP' ? a.ip : a.accountId;
        return v ? this.k(`l:${s.dimension}:${v}`) : null;
      }
      if (s.metric === 'loginAnomalies') return this.k(`la:${a.accountId}`);
      return null;
    };
    return this.run(adds, signals, keyOf, now.getTime());
  }

  async recordLoginAnomaly(accountId: string, eventId: string, at: Date): Promise<void> {
    const key = this.k(`la:${accountId}`);
    await this.redis
      .multi()
      .zadd(key, at.getTime(), eventId)
      .zremrangebyscore(key, '-inf', at.getTime() - MAX_WINDOW_SECONDS * 1000)
      .pexpire(key, MAX_WINDOW_SECONDS * 1000)
      .exec();
  }

  /**
   * Reviews count per account, IP, address and device (`r:`), and per account among the reviews
   * written soon after delivery (`rq:<delivery window>:`). Members are review ids added with NX,
   * so a retried ScoreReview keeps its first time and counts once.
   */
  async recordReview(
    a: ReviewAttempt,
    signals: Signal[],
    now: Date,
  ): Promise<Record<string, number>> {
    const adds: [string, string][] = [];
    const dims = {
      ACCOUNT: a.accountId,
      IP: a.ip,
      ADDRESS: a.addressFingerprint,
      DEVICE: a.deviceId,
    };
    for (const [dim, value] of Object.entries(dims))
      if (value) adds.push([this.k(`r:${dim}:${value}`), a.reviewId]);
    for (const s of signals)
      if (
        s.metric === 'quickReviews' &&
        a.accountId &&
        quickAfterDelivery(a.deliveredAt, now, s.deliveryWindowSeconds)
      )
        adds.push([this.k(`rq:${s.deliveryWindowSeconds}:${a.accountId}`), a.reviewId]);
    const keyOf = (s: Signal): string | null => {
      if (s.metric === 'reviews')
        return dims[s.dimension] ? this.k(`r:${s.dimension}:${dims[s.dimension]}`) : null;
      if (s.metric === 'quickReviews')
        return a.accountId ? this.k(`rq:${s.deliveryWindowSeconds}:${a.accountId}`) : null;
      return null;
    };
    return this.run(adds, signals, keyOf, now.getTime(), true);
  }

  private async run(
    adds: [string, string][],
    signals: Signal[],
    keyOf: (s: Signal) => string | null,
    t: number,
    ifAbsent = false,
  ): Promise<Record<string, number>> {
    const m = this.redis.multi();
    const wanted = this.queue(m, adds, signals, keyOf, t, ifAbsent);
    const res = (await m.exec()) ?? [];
    return this.countsOf(res.slice(res.length - wanted.length), wanted);
  }

  /**
   * Queues the adds (trimmed to the longest window, expiring when idle) and then one ZCOUNT per
   * signal that has a key; returns the signal keys of those counts, in order.
   */
  private queue(
    m: ChainableCommander,
    adds: [string, string][],
    signals: Signal[],
    keyOf: (s: Signal) => string | null,
    t: number,
    ifAbsent = false,
  ): string[] {
    for (const [key, member] of adds)
      (ifAbsent ? m.zadd(key, 'NX', t, member) : m.zadd(key, t, member))
        .zremrangebyscore(key, '-inf', t - MAX_WINDOW_SECONDS * 1000)
        .pexpire(key, MAX_WINDOW_SECONDS * 1000);
    const wanted: string[] = [];
    for (const s of signals) {
      const key = keyOf(s);
      if (!key) continue;
      wanted.push(signalKey(s));
      m.zcount(key, t - s.windowSeconds * 1000, '+inf');
    }
    return wanted;
  }

  /** The counts of `queue`'s ZCOUNTs (their replies, in order). */
  private countsOf(replies: [Error | null, unknown][], wanted: string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    wanted.forEach((sk, i) => {
      const [err, n] = replies[i];
      if (err) throw err;
      counts[sk] = Number(n);
    });
    return counts;
  }
}

type HistoryValue = 'device' | 'ip' | 'address';

/** What `queue` sends per add: ZADD, ZREMRANGEBYSCORE, PEXPIRE. */
const COMMANDS_PER_ADD = 3;

/** The account's known values (`ak:` members): `d:<device>`, `i:<ip>`, `a:<address>`, when set. */
export function historyValues(a: OrderAttempt): [HistoryValue, string][] {
  const out: [HistoryValue, string][] = [];
  if (a.deviceId) out.push(['device', `d:${a.deviceId}`]);
  if (a.ip) out.push(['ip', `i:${a.ip}`]);
  if (a.addressFingerprint) out.push(['address', `a:${a.addressFingerprint}`]);
  return out;
}
