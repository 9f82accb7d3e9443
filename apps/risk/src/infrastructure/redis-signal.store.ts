import type { Redis } from 'ioredis';
import {
  quickAfterDelivery,
  type OrderAttempt,
  type ReviewAttempt,
  type SignalStore,
} from '../application/ports';
import { MAX_WINDOW_SECONDS, signalKey, type Signal } from '../domain/rules';

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
  ): Promise<Record<string, number>> {
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
    return this.run(adds, signals, keyOf, t);
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
    for (const [key, member] of adds)
      (ifAbsent ? m.zadd(key, 'NX', t, member) : m.zadd(key, t, member))
        .zremrangebyscore(key, '-inf', t - MAX_WINDOW_SECONDS * 1000)
        .pexpire(key, MAX_WINDOW_SECONDS * 1000);
    const wanted: [string, string][] = [];
    for (const s of signals) {
      const key = keyOf(s);
      if (!key) continue;
      wanted.push([signalKey(s), key]);
      m.zcount(key, t - s.windowSeconds * 1000, '+inf');
    }
    const res = (await m.exec()) ?? [];
    const counts: Record<string, number> = {};
    const tail = res.slice(res.length - wanted.length);
    wanted.forEach(([sk], i) => {
      const [err, n] = tail[i];
      if (err) throw err;
      counts[sk] = Number(n);
    });
    return counts;
  }
}
