import type {
  analyticsV1,
  catalogV1,
  marketingV1,
  notificationV1,
  orderV1,
  reviewV1,
  riskV1,
  searchV1,
  supportV1,
  userV1,
} from '@emporia/contracts';
import type { GrpcApi } from '@emporia/platform';

/** A backend's unary methods as `(ctx, request) => Promise<response>`, derived from the contract. */
export type Backend<Service> = GrpcApi<Service>;

export type CatalogBackend = Backend<catalogV1.CatalogServiceController>;
export type SearchBackend = Backend<searchV1.SearchServiceController>;
export type UserBackend = Backend<userV1.UserServiceController>;
export type OrderBackend = Backend<orderV1.OrderServiceController>;
export type MarketingBackend = Backend<marketingV1.MarketingServiceController>;
export type RiskBackend = Backend<riskV1.RiskServiceController>;
export type AnalyticsBackend = Backend<analyticsV1.AnalyticsServiceController>;
export type SupportBackend = Backend<supportV1.SupportServiceController>;
export type ReviewBackend = Backend<reviewV1.ReviewServiceController>;
export type NotificationBackend = Backend<notificationV1.NotificationServiceController>;

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** The caller's claim on an Idempotency-Key while its request runs. */
export interface IdempotencyClaim {
  /** How often the request's claim must be renewed (a fraction of the lease). */
  readonly renewEveryMs: number;
  /** Extends the lease; false when the claim was lost (it expired and another request took it). */
  renew(): Promise<boolean>;
  /** The response, kept for the records' full lifetime (unless the claim was lost meanwhile). */
  complete(response: StoredResponse): Promise<void>;
  /** The request failed: the key is free again. */
  abandon(): Promise<void>;
}

/**
 * Idempotency-Key records: the first request with a key claims it for a short lease (renewed
 * while it runs, so a crashed gateway's claim lapses within the lease); a repeat while it runs is
 * `pending` with the time left; a completed request's response is kept for the records'
 * lifetime and a repeat with the same request gets it, with another request a mismatch. Each
 * call throws when the store cannot be reached in time.
 */
export interface IdempotencyStore {
  claim(
    scope: string,
    key: string,
    fingerprint: string,
  ): Promise<
    | { kind: 'claimed'; claim: IdempotencyClaim }
    | { kind: 'pending'; retryAfterMs: number }
    | { kind: 'mismatch' }
    | { kind: 'done'; response: StoredResponse }
  >;
}

/** A fixed window's count after one more hit, and how long until the window resets. */
export interface WindowCount {
  count: number;
  resetInMs: number;
}

/** Fixed-window counters (rate limits): each hit counts atomically and opens its window. */
export interface RateLimitStore {
  /** Counts `cost` hits (1 unless said) on the counter. */
  hit(key: string, windowMs: number, cost?: number): Promise<WindowCount>;
  /** Counts the hits of several counters in one round trip (in order); optional. */
  hitAll?(hits: readonly { key: string; windowMs: number; cost: number }[]): Promise<WindowCount[]>;
  /** Counts the hits of several counters at once, synchronously (a store in memory); optional. */
  hitAllNow?(hits: readonly { key: string; windowMs: number; cost: number }[]): WindowCount[];
}

/** At most `limit` requests per fixed window of `windowMs`. */
export interface RateLimitBucket {
  limit: number;
  windowMs: number;
}

/**
 * A rate limit: buckets per signed-in account (routes with `@Auth`), per client address, and
 * one for every caller together; a policy has any of them. `onStoreFailure` says what happens
 * when the counters cannot be read in time: let the request through (`allow`, logged and
 * counted) or refuse it with 503 (`refuse`).
 */
export interface RateLimitPolicy {
  perAccount?: RateLimitBucket;
  perIp?: RateLimitBucket;
  global?: RateLimitBucket;
  /** Per anonymous visitor id, as the route's `weigh` finds them in the request. */
  perVisitor?: RateLimitBucket;
  onStoreFailure: 'allow' | 'refuse';
}

/** The named policies routes opt into with `@RateLimit(name)`. */
export interface RateLimitPolicies {
  /** Sale endpoints (flash-sale attempts): anti-bot; fails open. */
  sale: RateLimitPolicy;
  /** Sign-up (each an argon2 hash): per address and globally; fails closed. */
  register: RateLimitPolicy;
  /**
   * Behaviour events (`POST /v1/events`): counted in events, not requests, per client address
   * and per anonymous visitor id; fails open (analytics must never slow the shop down).
   */
  events: RateLimitPolicy;
  /** Customers' support writes (tickets opened or reopened, messages): per account; fails open. */
  support: RateLimitPolicy;
  /** Customers' review writes (reviews, follow-ups, helpful votes): per account; fails open. */
  reviews: RateLimitPolicy;
  /** The unsubscribe link of marketing mail (public, GET and one-click POST): per address; fails open. */
  unsubscribe: RateLimitPolicy;
  /** Providers' delivery receipts (public, signed): per address; fails open. */
  receipts: RateLimitPolicy;
  /**
   * One-time codes sent by SMS (sign-in, step-up, a new phone, turning SMS on): per address and
   * per account, on top of the user service's own cooldown and limits; fails closed (each SMS
   * costs money, and sending one needs Redis anyway).
   */
  sms: RateLimitPolicy;
  /**
   * Passkey sign-in (public: its options, each a stored challenge, and its answer): per address,
   * on top of the user service's count of failed assertions; fails closed (signing in needs
   * Redis anyway).
   */
  passkey: RateLimitPolicy;
}

export type Role = 'customer' | 'agent' | 'operator' | 'admin';

/** Who is calling, from a verified access token. */
export interface Principal {
  accountId: string;
  roles: Role[];
  /** The token's session (`sid`: the refresh-token family), when it names one. */
  sessionId?: string;
  /** The token's `iat` in seconds since the epoch, with milliseconds as a fraction. */
  issuedAt?: number;
  /** The token's `exp` in seconds since the epoch (how long a verified token may be cached). */
  expiresAt?: number;
  /**
   * The token's `mfa_at`: when a second factor (or, for an account without one, the password)
   * was last proved in its session — at sign-in or by a step-up — in seconds since the epoch.
   * Absent: never in this session (or a token issued before the claim existed).
   */
  secondFactorAt?: number;
}

/**
 * The access-token revocation list the user service writes (freeze, erasure, fewer roles, a
 * session ended). `isRevoked` throws when the list cannot be read.
 */
export interface TokenRevocationList {
  isRevoked(principal: Principal): Promise<boolean>;
  /**
   * The answer from memory when the list has a live local copy; undefined: ask `isRevoked`.
   * Optional (a list without a copy always reads its store).
   */
  known?(principal: Principal): boolean | undefined;
}

/** Verifies a bearer access token; throws ProblemError 401 when it is not acceptable. */
export interface AccessTokenVerifier {
  verify(token: string): Promise<Principal>;
}

export const CATALOG_BACKEND = Symbol('CATALOG_BACKEND');
export const SEARCH_BACKEND = Symbol('SEARCH_BACKEND');
export const USER_BACKEND = Symbol('USER_BACKEND');
export const ACCESS_TOKEN_VERIFIER = Symbol('ACCESS_TOKEN_VERIFIER');
export const ORDER_BACKEND = Symbol('ORDER_BACKEND');
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
export const MARKETING_BACKEND = Symbol('MARKETING_BACKEND');
export const RISK_BACKEND = Symbol('RISK_BACKEND');
export const ANALYTICS_BACKEND = Symbol('ANALYTICS_BACKEND');
export const SUPPORT_BACKEND = Symbol('SUPPORT_BACKEND');
export const REVIEW_BACKEND = Symbol('REVIEW_BACKEND');
export const NOTIFICATION_BACKEND = Symbol('NOTIFICATION_BACKEND');
export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');
export const RATE_LIMIT_POLICIES = Symbol('RATE_LIMIT_POLICIES');
export const TOKEN_REVOCATION_LIST = Symbol('TOKEN_REVOCATION_LIST');
