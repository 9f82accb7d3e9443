import { normaliseFingerprint } from '@emporia/domain';
import { isIso4217Currency, type Money } from '@emporia/money';
import { RiskError } from './risk-error';
import { MAX_RETURN_WINDOW_SECONDS, returnRate, type ReturnStats } from './return-facts';

/**
 * Risk rules as data and their evaluation: pure. The application gathers the signals the rules
 * ask for (list hits, counts over windows), then `evaluate` turns the hits into a decision, a
 * score and stable reasons. The strictest action of any hit wins (REJECT over REVIEW); the
 * score is the sum of the hits' scores, at most 100.
 */
export const LIST_KINDS = ['ACCOUNT', 'DEVICE', 'IP', 'ADDRESS', 'PHONE'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export type Decision = 'ALLOW' | 'REVIEW' | 'REJECT';
export type Dimension = 'ACCOUNT' | 'IP' | 'ADDRESS' | 'DEVICE';
export type Subject = 'ORDER' | 'LOGIN' | 'REVIEW';
export const SUBJECTS: readonly Subject[] = ['ORDER', 'LOGIN', 'REVIEW'];

/** The longest NEW_ACCOUNT age: it reads no counter, so it is not bound by the Redis window. */
export const MAX_ACCOUNT_AGE_SECONDS = 365 * 86_400;

/** What a RETURN_ABUSE rule looks at in the account's return history. */
export const RETURN_DIMENSIONS = [
  'RETURN_RATE',
  'EXCHANGES',
  'REFUNDS_WITHOUT_RETURN',
  'ITEMS_MISMATCH',
] as const;
export type ReturnDimension = (typeof RETURN_DIMENSIONS)[number];

/**
 * An address issue code as checkout sends it (DETAIL_VAGUE, PHONE_OTHER_COUNTRY, …): upper
 * snake case, at most 64 characters.
 */
const ISSUE_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
export const isIssueCode = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 64 && ISSUE_CODE.test(v);
/** The most address issues an order carries into scoring (more are dropped). */
export const MAX_ADDRESS_ISSUES = 20;

/**
 * The address issues of an order as the rules see them: issue codes only (anything else is
 * ignored), each once, at most MAX_ADDRESS_ISSUES, in the order checkout sent them.
 */
export function addressIssues(raw: readonly unknown[] | undefined): string[] {
  return [...new Set((raw ?? []).filter(isIssueCode))].slice(0, MAX_ADDRESS_ISSUES);
}

interface RuleBase {
  id: string;
  name: string;
  appliesTo: Subject;
  action: 'REVIEW' | 'REJECT';
  score: number;
  active: boolean;
}

export type Rule = RuleBase &
  (
    | { kind: 'LIST_MATCH'; listKind: ListKind }
    | { kind: 'VELOCITY'; dimension: Dimension; windowSeconds: number; threshold: number }
    | { kind: 'AMOUNT'; amount: Money }
    | { kind: 'BRUSHING'; amount: Money; windowSeconds: number; threshold: number }
    | {
        kind: 'COUPON_ABUSE';
        dimension: 'DEVICE' | 'ADDRESS';
        windowSeconds: number;
        threshold: number;
      }
    | { kind: 'LOGIN_ANOMALY'; windowSeconds: number }
    | {
        kind: 'LOGIN_VELOCITY';
        dimension: 'IP' | 'ACCOUNT';
        windowSeconds: number;
        threshold: number;
      }
    /** Reviews: the account was made less than `windowSeconds` before the review. */
    | { kind: 'NEW_ACCOUNT'; windowSeconds: number }
    /**
     * Reviews: at least `threshold` of the account's reviews in the last `windowSeconds` were
     * each written within `deliveryWindowSeconds` of their line's delivery (this one included
     * when it is such a review).
     */
    | {
        kind: 'BULK_AFTER_DELIVERY';
        windowSeconds: number;
        threshold: number;
        deliveryWindowSeconds: number;
      }
    /** Orders: checkout doubted the address (`dimension`: an issue code, or ANY issue). */
    | { kind: 'ADDRESS_QUALITY'; dimension: string }
    /**
     * Orders: at least `threshold` distinct accounts ordering to the order's address (ADDRESS),
     * or distinct addresses the account ordered to (ACCOUNT), in the window.
     */
    | {
        kind: 'ADDRESS_SPREAD';
        dimension: 'ADDRESS' | 'ACCOUNT';
        windowSeconds: number;
        threshold: number;
      }
    /**
     * Orders: the fraud model's probability is at least `threshold` per mille (1 to 1000); never
     * hits when no model scored the order (none loaded, past its deadline, failed).
     */
    | { kind: 'MODEL_SCORE'; threshold: number }
    /**
     * Orders: the account's returns over the window (up to a year, from Postgres): RETURN_RATE
     * (returned lines at least `threshold` % of delivered lines, once at least `minSample`
     * lines were delivered; default 1), or at least `threshold` EXCHANGES,
     * REFUNDS_WITHOUT_RETURN or ITEMS_MISMATCH.
     */
    | {
        kind: 'RETURN_ABUSE';
        dimension: ReturnDimension;
        windowSeconds: number;
        threshold: number;
        minSample?: number;
      }
  );

/** A count the rules need: what is counted, over which window (and, for brushing, under what). */
export type Signal =
  | { metric: 'orders'; dimension: Dimension; windowSeconds: number }
  | { metric: 'smallOrders'; amount: Money; windowSeconds: number }
  | { metric: 'addressAccounts'; windowSeconds: number }
  /** Distinct accounts ordering from the order's device (the fraud model's features). */
  | { metric: 'deviceAccounts'; windowSeconds: number }
  | { metric: 'accountAddresses'; windowSeconds: number }
  | { metric: 'couponAccounts'; dimension: 'DEVICE' | 'ADDRESS'; windowSeconds: number }
  | { metric: 'loginAnomalies'; windowSeconds: number }
  | { metric: 'logins'; dimension: 'IP' | 'ACCOUNT'; windowSeconds: number }
  | { metric: 'reviews'; dimension: Dimension; windowSeconds: number }
  | { metric: 'quickReviews'; deliveryWindowSeconds: number; windowSeconds: number }
  /** The account's return history (Postgres, not a Redis counter; see `Facts.returns`). */
  | { metric: 'returns'; windowSeconds: number };

export const signalKey = (s: Signal): string => {
  switch (s.metric) {
    case 'orders':
    case 'couponAccounts':
    case 'logins':
    case 'reviews':
      return `${s.metric}:${s.dimension}:${s.windowSeconds}`;
    case 'quickReviews':
      return `${s.metric}:${s.deliveryWindowSeconds}:${s.windowSeconds}`;
    case 'smallOrders':
      return `${s.metric}:${s.amount.amountMinor}${s.amount.currency}:${s.windowSeconds}`;
    default:
      return `${s.metric}:${s.windowSeconds}`;
  }
};

export const MAX_WINDOW_SECONDS = 7 * 86_400;

/** The signals one rule needs (several for brushing). */
export function signalsOf(r: Rule): Signal[] {
  switch (r.kind) {
    case 'VELOCITY':
      return [
        {
          metric: r.appliesTo === 'REVIEW' ? 'reviews' : 'orders',
          dimension: r.dimension,
          windowSeconds: r.windowSeconds,
        },
      ];
    case 'BULK_AFTER_DELIVERY':
      return [
        {
          metric: 'quickReviews',
          deliveryWindowSeconds: r.deliveryWindowSeconds,
          windowSeconds: r.windowSeconds,
        },
      ];
    case 'BRUSHING':
      return [
        { metric: 'smallOrders', amount: r.amount, windowSeconds: r.windowSeconds },
        { metric: 'addressAccounts', windowSeconds: r.windowSeconds },
      ];
    case 'COUPON_ABUSE':
      return [{ metric: 'couponAccounts', dimension: r.dimension, windowSeconds: r.windowSeconds }];
    case 'LOGIN_ANOMALY':
      return [{ metric: 'loginAnomalies', windowSeconds: r.windowSeconds }];
    case 'LOGIN_VELOCITY':
      return [{ metric: 'logins', dimension: r.dimension, windowSeconds: r.windowSeconds }];
    case 'ADDRESS_SPREAD':
      return [
        {
          metric: r.dimension === 'ADDRESS' ? 'addressAccounts' : 'accountAddresses',
          windowSeconds: r.windowSeconds,
        },
      ];
    case 'RETURN_ABUSE':
      return [{ metric: 'returns', windowSeconds: r.windowSeconds }];
    default:
      return [];
  }
}

/** The windows of the return history the rules ask for (each once); none: nothing to read. */
export const returnWindowsOf = (signals: readonly Signal[]): number[] => [
  ...new Set(signals.filter((s) => s.metric === 'returns').map((s) => s.windowSeconds)),
];

/** The signals kept as Redis counters (every one but the return history). */
export const counterSignals = (signals: readonly Signal[]): Signal[] =>
  signals.filter((s) => s.metric !== 'returns');

export interface Facts {
  /** Which of the subject's values are on a list. */
  listed: ListKind[];
  /** The order total (orders only). */
  total?: Money;
  /** Counts by `signalKey`, including the attempt being scored. */
  counts: Record<string, number>;
  /** Reviews: seconds since the account was made (absent when unknown). */
  accountAgeSeconds?: number;
  /** Orders: the doubts checkout had about the shipping address (issue codes). */
  addressIssues?: readonly string[];
  /** Orders: the account's return history by window (seconds), for RETURN_ABUSE rules. */
  returns?: Readonly<Record<number, ReturnStats>>;
  /** Orders: the fraud model's probability (0 to 1); absent when no model scored the order. */
  modelScore?: number;
}

export interface Verdict {
  decision: Decision;
  score: number;
  reasons: string[];
}

/** The reasons a rule hits with: none, one, or (ADDRESS_QUALITY ANY) one per issue. */
function hits(r: Rule, f: Facts): string[] {
  const count = (s: Signal) => f.counts[signalKey(s)] ?? 0;
  const one = (hit: boolean, reason: string) => (hit ? [reason] : []);
  switch (r.kind) {
    case 'LIST_MATCH':
      return one(f.listed.includes(r.listKind), `LISTED_${r.listKind}`);
    case 'VELOCITY':
      return one(count(signalsOf(r)[0]) > r.threshold, `VELOCITY_${r.dimension}`);
    case 'AMOUNT':
      return one(
        !!f.total && f.total.currency === r.amount.currency && f.total.compare(r.amount) >= 0,
        'LARGE_AMOUNT',
      );
    case 'BRUSHING': {
      const [small, accounts] = signalsOf(r);
      return one(count(small) >= r.threshold || count(accounts) >= r.threshold, 'BRUSHING');
    }
    case 'COUPON_ABUSE':
      return one(count(signalsOf(r)[0]) >= r.threshold, `COUPON_ABUSE_${r.dimension}`);
    case 'LOGIN_ANOMALY':
      return one(count(signalsOf(r)[0]) > 0, 'LOGIN_ANOMALY');
    case 'LOGIN_VELOCITY':
      return one(count(signalsOf(r)[0]) > r.threshold, `LOGIN_VELOCITY_${r.dimension}`);
    case 'NEW_ACCOUNT':
      return one(
        f.accountAgeSeconds !== undefined && f.accountAgeSeconds < r.windowSeconds,
        'NEW_ACCOUNT',
      );
    case 'BULK_AFTER_DELIVERY':
      return one(count(signalsOf(r)[0]) >= r.threshold, 'BULK_AFTER_DELIVERY');
    case 'ADDRESS_QUALITY':
      return (f.addressIssues ?? [])
        .filter((issue) => r.dimension === 'ANY' || issue === r.dimension)
        .map((issue) => `ADDRESS_${issue}`);
    case 'ADDRESS_SPREAD':
      return one(count(signalsOf(r)[0]) >= r.threshold, `ADDRESS_SPREAD_${r.dimension}`);
    case 'RETURN_ABUSE':
      return one(returnAbuse(r, f.returns?.[r.windowSeconds]), `RETURN_ABUSE_${r.dimension}`);
    case 'MODEL_SCORE':
      // the same double as threshold/1000 compares equal: 0.35 hits a threshold of 350
      return one(f.modelScore !== undefined && f.modelScore >= r.threshold / 1000, 'MODEL_SCORE');
  }
}

function returnAbuse(r: Extract<Rule, { kind: 'RETURN_ABUSE' }>, s?: ReturnStats): boolean {
  if (!s) return false;
  switch (r.dimension) {
    case 'RETURN_RATE':
      // whole numbers: returned / delivered >= threshold %, without rounding
      return (
        s.deliveredLines >= (r.minSample ?? 1) &&
        s.deliveredLines > 0 &&
        s.returnedLines * 100 >= r.threshold * s.deliveredLines
      );
    case 'EXCHANGES':
      return s.exchanges >= r.threshold;
    case 'REFUNDS_WITHOUT_RETURN':
      return s.refundsWithoutReturn >= r.threshold;
    case 'ITEMS_MISMATCH':
      return s.itemsMismatches >= r.threshold;
  }
}

/**
 * What the audit trail keeps of the return history a decision saw: every number the
 * RETURN_ABUSE rules used, per window (the rate in %, one decimal; null without deliveries).
 */
export const returnSignals = (returns: Readonly<Record<number, ReturnStats>>) =>
  Object.fromEntries(
    Object.entries(returns).map(([w, s]) => [w, { ...s, returnRate: returnRate(s) }]),
  );

export function evaluate(rules: readonly Rule[], subject: Subject, f: Facts): Verdict {
  let decision: Decision = 'ALLOW';
  let score = 0;
  const reasons: string[] = [];
  for (const r of rules) {
    if (!r.active || r.appliesTo !== subject) continue;
    const found = hits(r, f);
    if (found.length === 0) continue;
    for (const reason of found) if (!reasons.includes(reason)) reasons.push(reason);
    // a rule counts once, however many reasons it gives
    score += r.score;
    if (r.action === 'REJECT') decision = 'REJECT';
    else if (decision === 'ALLOW') decision = 'REVIEW';
  }
  return { decision, score: Math.min(100, score), reasons };
}

const KINDS_FOR: Record<Rule['kind'], Rule['appliesTo'][]> = {
  LIST_MATCH: ['ORDER', 'LOGIN', 'REVIEW'],
  VELOCITY: ['ORDER', 'REVIEW'],
  AMOUNT: ['ORDER'],
  BRUSHING: ['ORDER'],
  COUPON_ABUSE: ['ORDER'],
  LOGIN_ANOMALY: ['ORDER', 'LOGIN'],
  LOGIN_VELOCITY: ['LOGIN'],
  NEW_ACCOUNT: ['REVIEW'],
  BULK_AFTER_DELIVERY: ['REVIEW'],
  ADDRESS_QUALITY: ['ORDER'],
  ADDRESS_SPREAD: ['ORDER'],
  RETURN_ABUSE: ['ORDER'],
  MODEL_SCORE: ['ORDER'],
};

/** A MODEL_SCORE threshold is per mille of the model's probability: 1 (0.001) to 1000 (1.0). */
export const MAX_MODEL_SCORE_THRESHOLD = 1000;

export function validateRule(r: Rule): Rule {
  const bad = (m: string) => new RiskError('INVALID_ARGUMENT', 'RULE_INVALID', `${r.id}: ${m}`);
  if (!r.name.trim() || r.name.length > 200) throw bad('a rule has a name');
  if (!KINDS_FOR[r.kind]) throw bad(`unknown kind '${String(r.kind)}'`);
  if (!KINDS_FOR[r.kind].includes(r.appliesTo))
    throw bad(`a ${r.kind} rule applies to ${KINDS_FOR[r.kind].join(' or ')}`);
  if (r.action !== 'REVIEW' && r.action !== 'REJECT') throw bad('action is REVIEW or REJECT');
  if (!Number.isInteger(r.score) || r.score < 0 || r.score > 100) throw bad('score is 0 to 100');
  if (
    r.kind === 'NEW_ACCOUNT' &&
    (!Number.isInteger(r.windowSeconds) ||
      r.windowSeconds < 1 ||
      r.windowSeconds > MAX_ACCOUNT_AGE_SECONDS)
  )
    throw bad(`an account age is 1 to ${MAX_ACCOUNT_AGE_SECONDS} seconds`);
  if (
    r.kind === 'RETURN_ABUSE' &&
    (!Number.isInteger(r.windowSeconds) ||
      r.windowSeconds < 1 ||
      r.windowSeconds > MAX_RETURN_WINDOW_SECONDS)
  )
    throw bad(`a return history window is 1 to ${MAX_RETURN_WINDOW_SECONDS} seconds (365 days)`);
  if (
    r.kind !== 'NEW_ACCOUNT' &&
    r.kind !== 'RETURN_ABUSE' &&
    'windowSeconds' in r &&
    (!Number.isInteger(r.windowSeconds) ||
      r.windowSeconds < 1 ||
      r.windowSeconds > MAX_WINDOW_SECONDS)
  )
    throw bad(`a window is 1 to ${MAX_WINDOW_SECONDS} seconds`);
  if (
    r.kind === 'BULK_AFTER_DELIVERY' &&
    (!Number.isInteger(r.deliveryWindowSeconds) ||
      r.deliveryWindowSeconds < 1 ||
      r.deliveryWindowSeconds > MAX_ACCOUNT_AGE_SECONDS)
  )
    throw bad(`a delivery window is 1 to ${MAX_ACCOUNT_AGE_SECONDS} seconds`);
  if ('threshold' in r && (!Number.isInteger(r.threshold) || r.threshold < 1))
    throw bad('a threshold is a whole number from 1');
  if ('amount' in r && !r.amount.isPositive()) throw bad('an amount is positive');
  if ('amount' in r && !isIso4217Currency(r.amount.currency))
    throw bad(`an amount is in an ISO 4217 currency, not '${r.amount.currency}'`);
  if (r.kind === 'LIST_MATCH' && !LIST_KINDS.includes(r.listKind))
    throw bad(`list_kind is one of ${LIST_KINDS.join(', ')}`);
  if (
    r.kind === 'LIST_MATCH' &&
    r.appliesTo === 'LOGIN' &&
    !['ACCOUNT', 'DEVICE', 'IP'].includes(r.listKind)
  )
    throw bad('a sign-in has only account, device and IP to match');
  if (r.kind === 'LIST_MATCH' && r.appliesTo === 'REVIEW' && r.listKind === 'PHONE')
    throw bad('a review has account, device, IP and address to match');
  if (r.kind === 'ADDRESS_QUALITY' && !isIssueCode(r.dimension))
    throw bad(
      `an ADDRESS_QUALITY dimension is ANY or an address issue code (upper snake case, at most 64 characters), not '${String(r.dimension)}'`,
    );
  if (r.kind === 'ADDRESS_SPREAD' && r.dimension !== 'ADDRESS' && r.dimension !== 'ACCOUNT')
    throw bad('an ADDRESS_SPREAD rule counts by ADDRESS (accounts) or ACCOUNT (addresses)');
  if (r.kind === 'RETURN_ABUSE') validateReturnAbuse(r, bad);
  if (r.kind === 'MODEL_SCORE' && r.threshold > MAX_MODEL_SCORE_THRESHOLD)
    throw bad(
      `a MODEL_SCORE threshold is per mille of the model's probability, 1 to ${MAX_MODEL_SCORE_THRESHOLD}`,
    );
  return r;
}

function validateReturnAbuse(
  r: Extract<Rule, { kind: 'RETURN_ABUSE' }>,
  bad: (m: string) => RiskError,
): void {
  if (!RETURN_DIMENSIONS.includes(r.dimension))
    throw bad(`a RETURN_ABUSE rule looks at ${RETURN_DIMENSIONS.join(', ')}`);
  if (r.dimension === 'RETURN_RATE') {
    if (r.threshold > 100) throw bad('a RETURN_RATE threshold is a percentage, 1 to 100');
    if (r.minSample !== undefined && (!Number.isInteger(r.minSample) || r.minSample < 1))
      throw bad('min_sample (the fewest delivered lines) is a whole number from 1');
  } else if (r.minSample !== undefined && r.minSample !== 0)
    throw bad('min_sample applies to RETURN_RATE only');
}

/**
 * Normalises a list value: trimmed, lower case; phones keep digits and a leading +; addresses
 * written as order's fingerprint `country|province|city|district|line1|line2` are normalised as
 * `addressFingerprint` makes them (places as the national divisions spell them however they were
 * written, simplified characters, no white space or punctuation: `CN|广东|深圳|南山|科技园 1 号|`
 * matches an order to 广东省 深圳市 南山区 科技园1号), other addresses lose all white space.
 */
export function normaliseListValue(kind: ListKind, value: string): string {
  const v = (value ?? '').trim();
  const out =
    kind === 'PHONE'
      ? v.replace(/[^\d+]/g, '')
      : kind === 'ADDRESS'
        ? v.includes('|')
          ? normaliseFingerprint(v)
          : v.toLowerCase().replace(/\s+/g, '')
        : v.toLowerCase();
  if (!out || out.length > 512)
    throw new RiskError('INVALID_ARGUMENT', 'LIST_VALUE_INVALID', `a ${kind} entry needs a value`);
  return out;
}

export function parseListKind(kind: string): ListKind {
  if (!LIST_KINDS.includes(kind as ListKind))
    throw new RiskError(
      'INVALID_ARGUMENT',
      'LIST_KIND_INVALID',
      `a list is one of ${LIST_KINDS.join(', ')}, not '${kind}'`,
    );
  return kind as ListKind;
}
