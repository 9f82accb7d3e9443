import {
  quickAfterDelivery,
  type FraudModel,
  type FraudModelCard,
  type ListEntry,
  type OrderAttempt,
  type OrderSignals,
  type ReturnFactStore,
  type ReviewAttempt,
  type RiskStore,
  type SignalStore,
  type StoredDecision,
} from '../application/ports';
import { statsOf, type ReturnFact, type ReturnStats } from '../domain/return-facts';
import {
  ACCOUNT_HISTORY_MAX,
  ACCOUNT_HISTORY_SECONDS,
  FIRST_ORDER_TTL_SECONDS,
  FRAUD_FEATURES,
  NO_HISTORY,
} from '../domain/fraud-features';
import { historyMember, historyValues, priorOrders } from '../infrastructure/redis-signal.store';
import {
  MAX_WINDOW_SECONDS,
  signalKey,
  type ListKind,
  type Rule,
  type Signal,
} from '../domain/rules';

/**
 * In-memory ports of the risk service for fast application-layer tests (CONVENTIONS 18).
 * Risk has no unit of work: every store call is one statement in the SQL adapter, so each
 * in-memory call is atomic too. Behaviour the use case relies on is kept: rules ordered by
 * (appliesTo, id); list entries unique per (kind, value) with duplicates skipped and not
 * counted (ON CONFLICT DO NOTHING); one decision per order and per review (the first one
 * wins); decisions newest first.
 */
export class InMemoryRiskStore implements RiskStore {
  readonly ruleRows = new Map<string, { rule: Rule; updatedAt: Date }>();
  readonly entries = new Map<string, ListEntry>();
  readonly decisionRows: StoredDecision[] = [];
  /** The first decision of each order and review (`<kind>|<subject>`), as the unique indexes. */
  private readonly firstDecisions = new Map<string, StoredDecision>();

  async upsertRule(r: Rule, now: Date): Promise<void> {
    this.ruleRows.set(r.id, { rule: r, updatedAt: now });
  }

  async rules(): Promise<Rule[]> {
    return [...this.ruleRows.values()]
      .map((x) => x.rule)
      .sort((a, b) => cmp(a.appliesTo, b.appliesTo) || cmp(a.id, b.id));
  }

  async addEntries(entries: ListEntry[]): Promise<number> {
    let added = 0;
    for (const e of entries) {
      const k = `${e.kind}|${e.value}`;
      if (this.entries.has(k)) continue;
      this.entries.set(k, e);
      added++;
    }
    return added;
  }

  async removeEntries(entries: { kind: ListKind; value: string }[]): Promise<number> {
    let removed = 0;
    for (const e of entries) if (this.entries.delete(`${e.kind}|${e.value}`)) removed++;
    return removed;
  }

  async exportList(kind: ListKind): Promise<ListEntry[]> {
    return [...this.entries.values()]
      .filter((e) => e.kind === kind)
      .sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime() || cmp(a.value, b.value));
  }

  async listed(values: { kind: ListKind; value: string }[]): Promise<ListKind[]> {
    return [
      ...new Set(values.filter((v) => this.entries.has(`${v.kind}|${v.value}`)).map((v) => v.kind)),
    ];
  }

  async recordDecision(d: StoredDecision): Promise<StoredDecision> {
    if (d.kind === 'ORDER' || d.kind === 'REVIEW') {
      const first = await this.findDecision(d.kind, d.subjectId);
      if (first) return first;
      this.firstDecisions.set(`${d.kind}|${d.subjectId}`, d);
    }
    this.decisionRows.push(d);
    return d;
  }

  async findDecision(kind: 'ORDER' | 'REVIEW', subjectId: string): Promise<StoredDecision | null> {
    return this.firstDecisions.get(`${kind}|${subjectId}`) ?? null;
  }

  async decisions(f: {
    subjectId?: string;
    accountId?: string;
    limit: number;
  }): Promise<StoredDecision[]> {
    return this.decisionRows
      .filter(
        (d) =>
          (!f.subjectId || d.subjectId === f.subjectId) &&
          (!f.accountId || d.accountId === f.accountId),
      )
      .sort((a, b) => b.decidedAt.getTime() - a.decidedAt.getTime())
      .slice(0, f.limit);
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A sorted set's members as ZRANGE lists them: by score, ties by member. */
const byScore = (set: Map<string, number>): [string, number][] =>
  [...set].sort(([ma, a], [mb, b]) => a - b || cmp(ma, mb));

/**
 * The Redis velocity counters as in-memory sorted sets, with the same keys and members as
 * RedisSignalStore: a member (order id, account id, attempt id) is counted once per key and
 * re-adding it moves its time; a count covers (now - window, +inf]; entries older than the
 * longest window are trimmed; review ids are added only if absent (ZADD NX). Expiry of idle keys
 * is not modelled (it only saves memory).
 */
export class InMemorySignalStore implements SignalStore {
  readonly sets = new Map<string, Map<string, number>>();
  /** `fo:<account>`: the first order's time, and when the key expires (PEXPIRE on each order). */
  readonly firstOrders = new Map<string, { at: number; expiresAt: number }>();

  private add(key: string, member: string, t: number, ifAbsent = false): void {
    const set = this.sets.get(key) ?? new Map<string, number>();
    if (!ifAbsent || !set.has(member)) set.set(member, t);
    for (const [m, at] of set) if (at <= t - MAX_WINDOW_SECONDS * 1000) set.delete(m);
    this.sets.set(key, set);
  }

  private count(key: string, from: number): number {
    let n = 0;
    for (const at of this.sets.get(key)?.values() ?? []) if (at >= from) n++;
    return n;
  }

  /**
   * The account's history sets as Redis keeps them: ZADD, trimmed to 90 days, then to the newest
   * ACCOUNT_HISTORY_MAX members (ZREMRANGEBYRANK 0 -(max+1): lowest score first, ties by member).
   */
  private addHistory(key: string, member: string, t: number): void {
    const set = this.sets.get(key) ?? new Map<string, number>();
    set.set(member, t);
    for (const [m, at] of set) if (at <= t - ACCOUNT_HISTORY_SECONDS * 1000) set.delete(m);
    if (set.size > ACCOUNT_HISTORY_MAX)
      for (const [m] of byScore(set).slice(0, set.size - ACCOUNT_HISTORY_MAX)) set.delete(m);
    this.sets.set(key, set);
  }

  async recordOrder(
    a: OrderAttempt,
    signals: Signal[],
    now: Date,
    opts: { history?: boolean } = {},
  ): Promise<OrderSignals> {
    const t = now.getTime();
    const keep = ACCOUNT_HISTORY_SECONDS * 1000;
    const values = opts.history && a.accountId ? historyValues(a) : [];
    // read before the order is recorded, as the MULTI does
    const known = this.sets.get(`ak:${a.accountId}`);
    const seen = new Set(
      values.filter(([, m]) => (known?.get(m) ?? -Infinity) > t - keep).map(([n]) => n),
    );
    const dims = {
      ACCOUNT: a.accountId,
      IP: a.ip,
      ADDRESS: a.addressFingerprint,
      DEVICE: a.deviceId,
    };
    for (const [dim, value] of Object.entries(dims))
      if (value) this.add(`o:${dim}:${value}`, a.orderId, t);
    if (a.addressFingerprint) this.add(`aa:${a.addressFingerprint}`, a.accountId, t);
    if (a.accountId && a.addressFingerprint) this.add(`ad:${a.accountId}`, a.addressFingerprint, t);
    if (a.deviceId && a.accountId && signals.some((s) => s.metric === 'deviceAccounts'))
      this.add(`da:${a.deviceId}`, a.accountId, t);
    const small = (s: Extract<Signal, { metric: 'smallOrders' }>) =>
      `so:${s.amount.amountMinor}${s.amount.currency}:${a.addressFingerprint}`;
    for (const s of signals)
      if (
        s.metric === 'smallOrders' &&
        a.addressFingerprint &&
        a.total.currency === s.amount.currency &&
        a.total.compare(s.amount) < 0
      )
        this.add(small(s), a.orderId, t);
    if (a.usesCoupons) {
      if (a.deviceId) this.add(`ca:DEVICE:${a.deviceId}`, a.accountId, t);
      if (a.addressFingerprint) this.add(`ca:ADDRESS:${a.addressFingerprint}`, a.accountId, t);
    }
    const counts = this.counts(signals, t, (s) => {
      switch (s.metric) {
        case 'orders':
          return dims[s.dimension] ? `o:${s.dimension}:${dims[s.dimension]}` : null;
        case 'addressAccounts':
          return a.addressFingerprint ? `aa:${a.addressFingerprint}` : null;
        case 'deviceAccounts':
          return a.deviceId && a.accountId ? `da:${a.deviceId}` : null;
        case 'accountAddresses':
          return a.accountId && a.addressFingerprint ? `ad:${a.accountId}` : null;
        case 'smallOrders':
          return a.addressFingerprint ? small(s) : null;
        case 'couponAccounts': {
          const v = s.dimension === 'DEVICE' ? a.deviceId : a.addressFingerprint;
          return v ? `ca:${s.dimension}:${v}` : null;
        }
        case 'loginAnomalies':
          return `la:${a.accountId}`;
        default:
          return null;
      }
    });
    if (!opts.history) return { counts };
    if (!a.accountId) return { counts, history: NO_HISTORY };
    for (const [, m] of values) this.addHistory(`ak:${a.accountId}`, m, t);
    this.addHistory(`oh:${a.accountId}`, historyMember(a), t);
    const first = this.firstOrders.get(a.accountId);
    const kept = first && first.expiresAt > t ? first : { at: t, expiresAt: 0 };
    kept.expiresAt = t + FIRST_ORDER_TTL_SECONDS * 1000;
    this.firstOrders.set(a.accountId, kept);
    const orders = byScore(this.sets.get(`oh:${a.accountId}`)!).map(([m]) => m);
    return {
      counts,
      history: {
        priorOrders: priorOrders(orders, a.orderId),
        firstOrderAt: new Date(kept.at),
        deviceSeen: seen.has('device'),
        ipSeen: seen.has('ip'),
        addressSeen: seen.has('address'),
      },
    };
  }

  async recordLogin(
    a: { accountId: string; ip: string; attemptId: string },
    signals: Signal[],
    now: Date,
  ): Promise<Record<string, number>> {
    const t = now.getTime();
    if (a.ip) this.add(`l:IP:${a.ip}`, a.attemptId, t);
    if (a.accountId) this.add(`l:ACCOUNT:${a.accountId}`, a.attemptId, t);
    return this.counts(signals, t, (s) => {
      if (s.metric === 'logins') {
        const v = s.dimension === 'IP' ? a.ip : a.accountId;
        return v ? `l:${s.dimension}:${v}` : null;
      }
      return s.metric === 'loginAnomalies' ? `la:${a.accountId}` : null;
    });
  }

  async recordLoginAnomaly(accountId: string, eventId: string, at: Date): Promise<void> {
    this.add(`la:${accountId}`, eventId, at.getTime());
  }

  async recordReview(
    a: ReviewAttempt,
    signals: Signal[],
    now: Date,
  ): Promise<Record<string, number>> {
    const t = now.getTime();
    const dims = {
      ACCOUNT: a.accountId,
      IP: a.ip,
      ADDRESS: a.addressFingerprint,
      DEVICE: a.deviceId,
    };
    for (const [dim, value] of Object.entries(dims))
      if (value) this.add(`r:${dim}:${value}`, a.reviewId, t, true);
    for (const s of signals)
      if (
        s.metric === 'quickReviews' &&
        a.accountId &&
        quickAfterDelivery(a.deliveredAt, now, s.deliveryWindowSeconds)
      )
        this.add(`rq:${s.deliveryWindowSeconds}:${a.accountId}`, a.reviewId, t, true);
    return this.counts(signals, t, (s) => {
      if (s.metric === 'reviews')
        return dims[s.dimension] ? `r:${s.dimension}:${dims[s.dimension]}` : null;
      if (s.metric === 'quickReviews')
        return a.accountId ? `rq:${s.deliveryWindowSeconds}:${a.accountId}` : null;
      return null;
    });
  }

  private counts(
    signals: Signal[],
    t: number,
    keyOf: (s: Signal) => string | null,
  ): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of signals) {
      const key = keyOf(s);
      if (key) out[signalKey(s)] = this.count(key, t - s.windowSeconds * 1000);
    }
    return out;
  }
}

/**
 * The return history (`account_return_facts`) in memory: a fact is kept once per id (the first
 * one wins, ON CONFLICT DO NOTHING), a window covers [now - window, +inf), as the SQL store's.
 * `statsCalls` counts the reads, so tests can see that nothing is read without a RETURN_ABUSE rule.
 */
export class InMemoryReturnFactStore implements ReturnFactStore {
  readonly facts = new Map<string, ReturnFact>();
  /** The facts of each account (the SQL store's index), so a read does not scan them all. */
  private readonly byAccount = new Map<string, ReturnFact[]>();
  statsCalls = 0;

  async record(facts: ReturnFact[]): Promise<number> {
    let added = 0;
    for (const f of facts) {
      if (this.facts.has(f.id)) continue;
      this.facts.set(f.id, f);
      const mine = this.byAccount.get(f.accountId);
      if (mine) mine.push(f);
      else this.byAccount.set(f.accountId, [f]);
      added++;
    }
    return added;
  }

  async stats(
    accountId: string,
    windows: number[],
    now: Date,
  ): Promise<Record<number, ReturnStats>> {
    this.statsCalls++;
    const mine = (this.byAccount.get(accountId) ?? []).filter((f) => this.facts.has(f.id));
    return Object.fromEntries(
      windows.map((w) => [w, statsOf(mine, new Date(now.getTime() - w * 1000))]),
    );
  }

  async prune(before: Date, limit: number): Promise<number> {
    const old = [...this.facts.values()]
      .filter((f) => f.occurredAt.getTime() < before.getTime())
      .slice(0, limit);
    for (const f of old) this.facts.delete(f.id);
    for (const [account, facts] of this.byAccount)
      this.byAccount.set(
        account,
        facts.filter((f) => this.facts.has(f.id)),
      );
    return old.length;
  }
}

/**
 * A fraud model for use-case tests: answers `score` (or throws `failure`) after `delayMs` of real
 * time, and keeps the feature vectors it was given.
 */
export class FakeFraudModel implements FraudModel {
  readonly card: FraudModelCard = {
    version: 'fm-test00000000',
    trainedAt: '2026-11-20T08:00:00Z',
    features: [...FRAUD_FEATURES],
    thresholdPerMille: 200,
    report: { roc_auc: 0.99 },
  };
  score = 0.01;
  delayMs = 0;
  failure: Error | undefined;
  readonly seen: number[][] = [];

  async predict(features: readonly number[]): Promise<number> {
    this.seen.push([...features]);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failure) throw this.failure;
    return this.score;
  }

  /** The last vector it was given, by feature name. */
  lastFeatures(): Record<string, number> {
    const last = this.seen[this.seen.length - 1] ?? [];
    return Object.fromEntries(FRAUD_FEATURES.map((n, i) => [n, last[i]]));
  }
}

export { FakeClock, SequentialIds } from '@emporia/domain/testing';
