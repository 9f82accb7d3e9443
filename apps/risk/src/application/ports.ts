import type { Money } from '@emporia/money';
import type { AccountHistory } from '../domain/fraud-features';
import type { ReturnFact, ReturnStats } from '../domain/return-facts';
import type { Decision, ListKind, Rule, Signal, Subject } from '../domain/rules';

export const RISK_STORE = Symbol('RISK_STORE');
export const SIGNALS = Symbol('SIGNALS');
export const RETURN_FACTS = Symbol('RETURN_FACTS');
export const ORDER_LOOKUPS = Symbol('ORDER_LOOKUPS');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const FRAUD_MODEL = Symbol('FRAUD_MODEL');
export const FRAUD_MODEL_SETTINGS = Symbol('FRAUD_MODEL_SETTINGS');

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
  /** Orders: the fraud model that scored it and its probability (absent when none did). */
  modelVersion?: string;
  modelScore?: number;
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

/** The account whose return history an order's scoring reads, over each window ending at `now`. */
export interface ReturnHistoryQuery {
  accountId: string;
  windows: number[];
  now: Date;
}

/** What an order's scoring reads from Postgres: its list hits, and the return history asked. */
export interface OrderLookup {
  listed: ListKind[];
  /** Per window (seconds); absent when no history was asked. */
  returns?: Record<number, ReturnStats>;
}

/**
 * The Postgres reads of `ScoreOrder` together: `RiskStore.listed` and, when `history` is given,
 * `ReturnFactStore.stats`, answered as those two answer. The SQL adapter reads both in one
 * statement (one round trip per order, not two); `separateLookups` (application) asks the two
 * ports, as the in-memory stores of the use-case tests and the fraud model's generator do.
 */
export interface OrderLookups {
  read(
    values: { kind: ListKind; value: string }[],
    history?: ReturnHistoryQuery,
  ): Promise<OrderLookup>;
}

/** What `recordOrder` read: the counts by `signalKey`, and the account's history when asked. */
export interface OrderSignals {
  counts: Record<string, number>;
  history?: AccountHistory;
}

/**
 * Velocity counters (Redis): record an attempt and count what the rules ask for, at once. An
 * order adds its id per account, IP, address and device, its account to the address's accounts
 * and its address to the account's addresses (`accountAddresses`); an empty address counts
 * nowhere. Its account is added to the device's accounts when a `deviceAccounts` signal asks.
 * With `history` (the fraud model is loaded) the same call reads the account's history — its
 * earlier orders in 90 days, its first order, whether it used this device, IP and address
 * before — and records the order in it.
 */
export interface SignalStore {
  recordOrder(
    a: OrderAttempt,
    signals: Signal[],
    now: Date,
    opts?: { history?: boolean },
  ): Promise<OrderSignals>;
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

/** The fraud model's card (apps/risk/model/fraud-model.card.json): what it is, how it did. */
export interface FraudModelCard {
  /** A hash of the ONNX file's content: `fm-<12 hex>`. */
  version: string;
  trainedAt: string;
  /** The features it reads, in order (FRAUD_FEATURES). */
  features: string[];
  /** The MODEL_SCORE threshold (per mille) the training suggests for the review budget. */
  thresholdPerMille: number;
  /** The held-out figures of its training report (ROC AUC, precision at the budget, lift). */
  report: Record<string, unknown>;
}

/** A fraud model loaded in the process (onnxruntime): the probability that an order is fraud. */
export interface FraudModel {
  readonly card: FraudModelCard;
  /** `features` in the card's order; resolves to a probability, 0 to 1. */
  predict(features: readonly number[]): Promise<number>;
}

/** How long an order waits for the model before the rules decide alone. */
export interface FraudModelSettings {
  deadlineMs: number;
}
