import { isIP } from 'node:net';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Money } from '@emporia/money';
import {
  addressIssues,
  counterSignals,
  evaluate,
  normaliseListValue,
  returnSignals,
  returnWindowsOf,
  signalKey,
  signalsOf,
  validateRule,
  type ListKind,
  type Rule,
  type Signal,
  type Subject,
  type Verdict,
} from '../domain/rules';
import { FRAUD_RETURN_WINDOW_SECONDS, FRAUD_SIGNALS, NO_HISTORY } from '../domain/fraud-features';
import { FraudScoring, type FraudModelStatus } from './fraud-scoring';
import { separateLookups } from './order-lookups';
import { RiskError } from '../domain/risk-error';
import { NO_RETURNS, type ReturnStats } from '../domain/return-facts';
import {
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  type ListEntry,
  ORDER_LOOKUPS,
  type OrderLookups,
  RETURN_FACTS,
  type ReturnHistoryQuery,
  type ReturnFactStore,
  RISK_STORE,
  type RiskStore,
  SIGNALS,
  type SignalStore,
  type StoredDecision,
} from './ports';

export interface ScoreReviewInput {
  reviewId: string;
  accountId: string;
  deviceId: string;
  ip: string;
  addressFingerprint: string;
  productId: string;
  /** When the reviewed line was delivered, and when the account was made (null: unknown). */
  deliveredAt: Date | null;
  accountCreatedAt: Date | null;
  rating: number;
  photoCount: number;
}

export interface ScoreOrderInput {
  orderId: string;
  accountId: string;
  ip: string;
  deviceId: string;
  addressFingerprint: string;
  phone: string;
  total: Money;
  couponCodes: string[];
  /** Checkout's doubts about the address (issue codes; others ignored, at most 20 kept). */
  addressIssues?: string[];
  /** Order lines, and when the account was made (null: unknown), for the fraud model. */
  lineCount?: number;
  accountCreatedAt?: Date | null;
}

/**
 * Scores orders and sign-ins against the rules in force: list hits from Postgres, counts from
 * Redis (the attempt being scored is counted too), then the pure evaluation. Every decision is
 * stored with the signals it saw; scoring the same order again returns its first decision, so
 * a retried checkout neither counts twice nor changes its answer.
 *
 * An order's Postgres reads (list hits, return history) go through `lookups`: one statement in
 * the service (`SqlOrderLookups`); without one, the list and return-history ports each answer
 * their part (`separateLookups`: the in-memory stores).
 */
@Injectable()
export class RiskUseCase {
  private cache: { rules: Rule[]; at: number } | undefined;
  private readonly lookups: OrderLookups;

  constructor(
    @Inject(RISK_STORE) private readonly store: RiskStore,
    @Inject(SIGNALS) private readonly signals: SignalStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(RETURN_FACTS) returns: ReturnFactStore,
    @Optional() private readonly fraud?: FraudScoring,
    @Optional() @Inject(ORDER_LOOKUPS) lookups?: OrderLookups,
  ) {
    this.lookups = lookups ?? separateLookups(store, returns);
  }

  /** Rules change rarely and scoring is hot: read at most once a second. */
  private async rules(): Promise<Rule[]> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > 1000)
      this.cache = { rules: await this.store.rules(), at: now };
    return this.cache.rules;
  }

  /**
   * Scores an order once: a retry (same order id) answers the first decision, which
   * `recordDecision` returns when the order already has one (its unique index), and counts
   * nothing more (the velocity members are order ids, account ids and addresses). The first
   * scoring of an order, the hot path, does not look for an earlier decision first. The counters
   * are one Redis round trip; beside it, the list hits and (only when a RETURN_ABUSE rule is in
   * force) the account's return history are one Postgres round trip (`OrderLookups`); the
   * decision's insert is a second, before the answer (it is the audit record). The decision keeps
   * every number the rules used: list hits, counts, the address issues and the return history per
   * window.
   *
   * With a fraud model loaded, the same two round trips also read what its features need (fixed
   * counters, the account's history, its 90-day returns); the model's probability, asked with a
   * deadline, is one more fact for the rules (MODEL_SCORE). Past the deadline or on an error the
   * rules decide alone; the audit says which (`signals.model`) with the features it was given.
   */
  async scoreOrder(input: ScoreOrderInput): Promise<StoredDecision> {
    const now = this.clock.now();
    const rules = (await this.rules()).filter((r) => r.active && r.appliesTo === 'ORDER');
    const modelOn = !!this.fraud?.loaded;
    const address = namesAPlace(input.addressFingerprint) ? input.addressFingerprint : '';
    const issues = addressIssues(input.addressIssues);
    const values = listValues({
      ACCOUNT: input.accountId,
      DEVICE: input.deviceId,
      IP: input.ip,
      ADDRESS: address,
      PHONE: input.phone,
    });
    const wanted = rules.flatMap(signalsOf);
    const counters = uniqueSignals([...counterSignals(wanted), ...(modelOn ? FRAUD_SIGNALS : [])]);
    const windows = returnWindowsOf(wanted);
    const returnWindows =
      modelOn && !windows.includes(FRAUD_RETURN_WINDOW_SECONDS)
        ? [...windows, FRAUD_RETURN_WINDOW_SECONDS]
        : windows;
    const asked = returnHistoryQuery(input.accountId, returnWindows, now);
    const [lookup, { counts, history }] = await Promise.all([
      this.lookups.read(values, asked),
      this.signals.recordOrder(
        {
          orderId: input.orderId,
          accountId: input.accountId,
          ip: input.ip,
          deviceId: input.deviceId,
          addressFingerprint: address,
          total: input.total,
          usesCoupons: input.couponCodes.length > 0,
        },
        counters,
        now,
        { history: modelOn },
      ),
    ]);
    const { listed } = lookup;
    const returns = asked ? lookup.returns : noHistory(input.accountId, returnWindows);
    const model = !modelOn
      ? undefined
      : await this.fraud!.assess({
          now,
          accountCreatedAt: input.accountCreatedAt ?? null,
          total: input.total,
          lineCount: input.lineCount ?? 0,
          couponCount: input.couponCodes.length,
          addressIssueCount: issues.length,
          listHits: listed.length,
          counts,
          history: history ?? NO_HISTORY,
          returns: returns?.[FRAUD_RETURN_WINDOW_SECONDS],
          has: { device: !!input.deviceId, ip: !!input.ip, address: !!address },
        });
    const scored = model?.outcome.status === 'SCORED' ? model.outcome : undefined;
    const verdict = evaluate(rules, 'ORDER', {
      listed,
      total: input.total,
      counts,
      addressIssues: issues,
      returns,
      ...(scored ? { modelScore: scored.score } : {}),
    });
    const seen: Record<string, unknown> = { values, listed, counts, addressIssues: issues };
    if (returns) seen.returns = returnSignals(returns);
    if (model) seen.model = model.audit;
    const d = this.decision('ORDER', input.orderId, input.accountId, verdict, seen, now);
    if (scored) Object.assign(d, { modelVersion: scored.version, modelScore: scored.score });
    return this.store.recordDecision(d);
  }

  /** The fraud model in force (none: rules alone), its deadline and what its scores did. */
  fraudModel(): FraudModelStatus {
    return (
      this.fraud?.status() ?? {
        card: null,
        deadlineMs: 0,
        scored: 0,
        pastDeadline: 0,
        failed: 0,
      }
    );
  }

  /**
   * Brushing checks before a review is shown: lists, reviews per device/address/IP/account over
   * windows, the account's age, reviews written in bulk right after delivery. One decision per
   * review: a retried call answers the first decision and counts nothing more (the counters add
   * the review id only if absent, for a retry that raced the first call).
   */
  async scoreReview(input: ScoreReviewInput): Promise<StoredDecision> {
    const earlier = await this.store.findDecision('REVIEW', input.reviewId);
    if (earlier) return earlier;
    const now = this.clock.now();
    const rules = (await this.rules()).filter((r) => r.active && r.appliesTo === 'REVIEW');
    const values = listValues({
      ACCOUNT: input.accountId,
      DEVICE: input.deviceId,
      IP: input.ip,
      ADDRESS: input.addressFingerprint,
    });
    const value = (kind: ListKind) => values.find((v) => v.kind === kind)?.value ?? '';
    const [listed, counts] = await Promise.all([
      this.store.listed(values),
      this.signals.recordReview(
        {
          reviewId: input.reviewId,
          accountId: value('ACCOUNT'),
          ip: value('IP'),
          deviceId: value('DEVICE'),
          addressFingerprint: value('ADDRESS'),
          deliveredAt: input.deliveredAt,
        },
        rules.flatMap(signalsOf),
        now,
      ),
    ]);
    const accountAgeSeconds = input.accountCreatedAt
      ? Math.floor((now.getTime() - input.accountCreatedAt.getTime()) / 1000)
      : undefined;
    const verdict = evaluate(rules, 'REVIEW', { listed, counts, accountAgeSeconds });
    return this.store.recordDecision(
      this.decision(
        'REVIEW',
        input.reviewId,
        input.accountId,
        verdict,
        {
          values,
          listed,
          counts,
          productId: input.productId,
          rating: input.rating,
          photoCount: input.photoCount,
          deliveredAt: input.deliveredAt?.toISOString() ?? null,
          accountAgeSeconds: accountAgeSeconds ?? null,
        },
        now,
      ),
    );
  }

  async scoreLogin(input: {
    accountId: string;
    ip: string;
    deviceId: string;
  }): Promise<StoredDecision> {
    const now = this.clock.now();
    const rules = (await this.rules()).filter((r) => r.active && r.appliesTo === 'LOGIN');
    const values = listValues({ ACCOUNT: input.accountId, DEVICE: input.deviceId, IP: input.ip });
    const [listed, counts] = await Promise.all([
      this.store.listed(values),
      this.signals.recordLogin(
        { accountId: input.accountId, ip: input.ip, attemptId: this.ids.newId() },
        rules.flatMap(signalsOf),
        now,
      ),
    ]);
    const verdict = evaluate(rules, 'LOGIN', { listed, counts });
    return this.store.recordDecision(
      this.decision(
        'LOGIN',
        input.accountId,
        input.accountId,
        verdict,
        { values, listed, counts },
        now,
      ),
    );
  }

  async upsertRule(rule: Rule): Promise<Rule> {
    validateRule(rule);
    await this.store.upsertRule(rule, this.clock.now());
    this.cache = undefined;
    return rule;
  }

  listRules(): Promise<Rule[]> {
    return this.store.rules();
  }

  addEntries(entries: { kind: ListKind; value: string; reason: string }[]): Promise<number> {
    checkBatch(entries.length);
    checkAddresses(entries);
    const now = this.clock.now();
    return this.store.addEntries(
      entries.map((e) => ({
        kind: e.kind,
        value: normaliseListValue(e.kind, e.value),
        reason: (e.reason ?? '').slice(0, 500),
        addedAt: now,
      })),
    );
  }

  removeEntries(entries: { kind: ListKind; value: string }[]): Promise<number> {
    checkBatch(entries.length);
    return this.store.removeEntries(
      entries.map((e) => ({ kind: e.kind, value: normaliseListValue(e.kind, e.value) })),
    );
  }

  exportList(kind: ListKind): Promise<ListEntry[]> {
    return this.store.exportList(kind);
  }

  decisions(filter: {
    subjectId?: string;
    accountId?: string;
    limit?: number;
  }): Promise<StoredDecision[]> {
    const limit = Math.min(500, Math.max(1, filter.limit || 50));
    return this.store.decisions({ ...filter, limit });
  }

  onLoginAnomaly(accountId: string, eventId: string, at: Date): Promise<void> {
    return this.signals.recordLoginAnomaly(accountId, eventId, at);
  }

  private decision(
    kind: Subject,
    subjectId: string,
    accountId: string,
    v: Verdict,
    signals: Record<string, unknown>,
    now: Date,
  ): StoredDecision {
    return {
      id: this.ids.newId(),
      kind,
      subjectId,
      accountId,
      decision: v.decision,
      score: v.score,
      reasons: v.reasons,
      signals,
      decidedAt: now,
    };
  }
}

/**
 * The return history to read from Postgres: only when a RETURN_ABUSE rule (or the model) asks for
 * windows, and only of an account.
 */
function returnHistoryQuery(
  accountId: string,
  windows: number[],
  now: Date,
): ReturnHistoryQuery | undefined {
  return windows.length > 0 && accountId ? { accountId, windows, now } : undefined;
}

/**
 * The return history not read: none asked (undefined), or an order without an account (an empty
 * history per window).
 */
function noHistory(accountId: string, windows: number[]): Record<number, ReturnStats> | undefined {
  if (windows.length === 0 || accountId) return undefined;
  return Object.fromEntries(windows.map((w) => [w, NO_RETURNS]));
}

/** Each signal once (a rule may ask what the model reads too). */
function uniqueSignals(signals: readonly Signal[]): Signal[] {
  const seen = new Map<string, Signal>();
  for (const s of signals) if (!seen.has(signalKey(s))) seen.set(signalKey(s), s);
  return [...seen.values()];
}

function checkBatch(n: number): void {
  if (n < 1 || n > 10_000)
    throw new RiskError(
      'INVALID_ARGUMENT',
      'LIST_BATCH_INVALID',
      'send 1 to 10000 entries at a time',
    );
}

/**
 * IP list entries are IPv4 or IPv6 addresses (matched exactly: no CIDR ranges); anything else
 * could never match a client address, so it is refused and nothing of the batch is added.
 * Removal takes any value, so entries listed before this check can still be taken off.
 */
function checkAddresses(entries: { kind: ListKind; value: string }[]): void {
  const i = entries.findIndex((e) => e.kind === 'IP' && isIP((e.value ?? '').trim()) === 0);
  if (i >= 0)
    throw new RiskError(
      'INVALID_ARGUMENT',
      'LIST_VALUE_INVALID',
      `entries[${i}]: '${entries[i].value}' is not an IPv4 or IPv6 address`,
      { field: `entries.${i}.value` },
    );
}

/**
 * Whether an address fingerprint names a place: `|||||` (an address with no parts) is no
 * address, so it neither counts towards one place nor matches a list.
 */
const namesAPlace = (fingerprint: string): boolean => /[^|\s]/.test(fingerprint ?? '');

/** The subject's non-empty values, normalised as lists store them. */
function listValues(v: Partial<Record<ListKind, string>>): { kind: ListKind; value: string }[] {
  return (Object.entries(v) as [ListKind, string][])
    .filter(([, value]) => value && value.trim())
    .map(([kind, value]) => ({ kind, value: normaliseListValue(kind, value) }));
}
