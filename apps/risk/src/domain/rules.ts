import { isIso4217Currency, type Money } from '@emporia/money';
import { RiskError } from './risk-error';

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
  );

/** A count the rules need: what is counted, over which window (and, for brushing, under what). */
export type Signal =
  | { metric: 'orders'; dimension: Dimension; windowSeconds: number }
  | { metric: 'smallOrders'; amount: Money; windowSeconds: number }
  | { metric: 'addressAccounts'; windowSeconds: number }
  | { metric: 'couponAccounts'; dimension: 'DEVICE' | 'ADDRESS'; windowSeconds: number }
  | { metric: 'loginAnomalies'; windowSeconds: number }
  | { metric: 'logins'; dimension: 'IP' | 'ACCOUNT'; windowSeconds: number }
  | { metric: 'reviews'; dimension: Dimension; windowSeconds: number }
  | { metric: 'quickReviews'; deliveryWindowSeconds: number; windowSeconds: number };

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
    default:
      return [];
  }
}

export interface Facts {
  /** Which of the subject's values are on a list. */
  listed: ListKind[];
  /** The order total (orders only). */
  total?: Money;
  /** Counts by `signalKey`, including the attempt being scored. */
  counts: Record<string, number>;
  /** Reviews: seconds since the account was made (absent when unknown). */
  accountAgeSeconds?: number;
}

export interface Verdict {
  decision: Decision;
  score: number;
  reasons: string[];
}

function hit(r: Rule, f: Facts): string | null {
  const count = (s: Signal) => f.counts[signalKey(s)] ?? 0;
  switch (r.kind) {
    case 'LIST_MATCH':
      return f.listed.includes(r.listKind) ? `LISTED_${r.listKind}` : null;
    case 'VELOCITY':
      return count(signalsOf(r)[0]) > r.threshold ? `VELOCITY_${r.dimension}` : null;
    case 'AMOUNT':
      return f.total && f.total.currency === r.amount.currency && f.total.compare(r.amount) >= 0
        ? 'LARGE_AMOUNT'
        : null;
    case 'BRUSHING': {
      const [small, accounts] = signalsOf(r);
      return count(small) >= r.threshold || count(accounts) >= r.threshold ? 'BRUSHING' : null;
    }
    case 'COUPON_ABUSE':
      return count(signalsOf(r)[0]) >= r.threshold ? `COUPON_ABUSE_${r.dimension}` : null;
    case 'LOGIN_ANOMALY':
      return count(signalsOf(r)[0]) > 0 ? 'LOGIN_ANOMALY' : null;
    case 'LOGIN_VELOCITY':
      return count(signalsOf(r)[0]) > r.threshold ? `LOGIN_VELOCITY_${r.dimension}` : null;
    case 'NEW_ACCOUNT':
      return f.accountAgeSeconds !== undefined && f.accountAgeSeconds < r.windowSeconds
        ? 'NEW_ACCOUNT'
        : null;
    case 'BULK_AFTER_DELIVERY':
      return count(signalsOf(r)[0]) >= r.threshold ? 'BULK_AFTER_DELIVERY' : null;
  }
}

export function evaluate(rules: readonly Rule[], subject: Subject, f: Facts): Verdict {
  let decision: Decision = 'ALLOW';
  let score = 0;
  const reasons: string[] = [];
  for (const r of rules) {
    if (!r.active || r.appliesTo !== subject) continue;
    const reason = hit(r, f);
    if (!reason) continue;
    if (!reasons.includes(reason)) reasons.push(reason);
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
};

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
    r.kind !== 'NEW_ACCOUNT' &&
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
  return r;
}

/**
 * Normalises a list value: trimmed, lower case; phones keep digits and a leading +; addresses
 * (order's fingerprint `country|province|city|district|line1|line2`) lose all white space.
 */
export function normaliseListValue(kind: ListKind, value: string): string {
  const v = (value ?? '').trim();
  const out =
    kind === 'PHONE'
      ? v.replace(/[^\d+]/g, '')
      : kind === 'ADDRESS'
        ? v.toLowerCase().replace(/\s+/g, '')
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
