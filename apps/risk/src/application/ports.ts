import type { Money } from '@emporia/money';
import type { ReturnFact, ReturnStats } from '../domain/return-facts';
import type { Decision, ListKind, Rule, Signal, Subject } from '../domain/rules';

export const RISK_STORE = Symbol('RISK_STORE');
export const SIGNALS = Symbol('SIGNALS');
export const RETURN_FACTS = Symbol('RETURN_FACTS');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');

export type { Clock, IdGenerator } from '@emporia/domain';

export interface ListEntry {
  kind: ListKind;
  value: string;
  reason: string;
  addedAt: Date;
}

export interface StoredDecision {
  id: string;
  kind: Subject;
  subjectId: string;
  accountId: string;
  decision: Decision;
  score: number;
  reasons: string[];
  signals: Record<string, unknown>;
  decidedAt: Date;
}

/** Rules, lists and the decision audit trail (Postgres). */
export interface RiskStore {
  upsertRule(r: Rule, now: Date): Promise<void>;
  rules(): Promise<Rule[]>;
  addEntries(entries: ListEntry[]): Promise<number>;
  removeEntries(entries: { kind: ListKind; value: string }[]): Promise<number>;
  exportList(kind: ListKind): Promise<ListEntry[]>;
  /** Which of these (kind, value) pairs are listed. */
  listed(values: { kind: ListKind; value: string }[]): Promise<ListKind[]>;
  /**
   * Stores a decision; for an order or a review already decided, returns the first decision
   * instead (one per order, one per review).
   */
  recordDecision(d: StoredDecision): Promise<StoredDecision>;
  findDecision(kind: 'ORDER' | 'REVIEW', subjectId: string): Promise<StoredDecision | null>;
  decisions(filter: {
    subjectId?: string;
    accountId?: string;
    limit: number;
  }): Promise<StoredDecision[]>;
}

export interface OrderAttempt {
  orderId: string;
  accountId: string;
  ip: string;
  deviceId: string;
  addressFingerprint: string;
  total: Money;
  usesCoupons: boolean;
}

/**
 * The accounts' return history (Postgres `account_return_facts`), kept from order events for
 * RETURN_ABUSE rules. Each call is one statement.
 */
export interface ReturnFactStore {
  /** Records facts, each once by its id (a repeated one adds nothing); returns how many were new. */
  record(facts: ReturnFact[]): Promise<number>;
  /** The account's history over each window (seconds) ending at `now`: one indexed query. */
  stats(accountId: string, windows: number[], now: Date): Promise<Record<number, ReturnStats>>;
  /** Deletes at most `limit` facts from before `before`; returns how many. */
  prune(before: Date, limit: number): Promise<number>;
}

/**
 * Velocity counters (Redis): record an attempt and count what the rules ask for, at once. An
 * order adds its id per account, IP, address and device, its account to the address's accounts
 * and its address to the account's addresses (`accountAddresses`); an empty address counts
 * nowhere.
 */
export interface SignalStore {
  recordOrder(a: OrderAttempt, signals: Signal[], now: Date): Promise<Record<string, number>>;
  recordLogin(
    a: { accountId: string; ip: string; attemptId: string },
    signals: Signal[],
    now: Date,
  ): Promise<Record<string, number>>;
  recordLoginAnomaly(accountId: string, eventId: string, at: Date): Promise<void>;
  /**
   * Records a review (member = review id, added only if absent: a retried review keeps its
   * first time and counts once) and returns the counts the rules ask for.
   */
  recordReview(a: ReviewAttempt, signals: Signal[], now: Date): Promise<Record<string, number>>;
}

export interface ReviewAttempt {
  reviewId: string;
  accountId: string;
  ip: string;
  deviceId: string;
  /** Normalised as list values are (lower case, no white space). */
  addressFingerprint: string;
  /** When the reviewed line was delivered (null when unknown). */
  deliveredAt: Date | null;
}

/** Whether a review written at `now` is within `seconds` of its line's delivery. */
export const quickAfterDelivery = (deliveredAt: Date | null, now: Date, seconds: number): boolean =>
  deliveredAt !== null &&
  now.getTime() >= deliveredAt.getTime() &&
  now.getTime() - deliveredAt.getTime() <= seconds * 1000;
