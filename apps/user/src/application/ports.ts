import type { RequestContext } from '@emporia/platform';
import type { Account } from '../domain/account';
import type { RefreshTokenFamily } from '../domain/refresh-token-family';

export interface AccountRepository {
  findById(id: string): Promise<Account | null>;
  findByEmail(email: string): Promise<Account | null>;
  findByPhone(phone: string): Promise<Account | null>;
  insert(account: Account): Promise<void>;
}

export interface RefreshFamilyRepository {
  /** Stores a new family with its first token (by hash). */
  insert(family: RefreshTokenFamily): Promise<void>;
  /**
   * The family the token hash belongs to, row-locked, or null. When the token is not the
   * family's current one, it is listed in `retiredTokenIds`.
   */
  findByTokenForUpdate(tokenHash: string): Promise<RefreshTokenFamily | null>;
  /** Saves state; `issuedTokenHash` records a newly issued token of the family. */
  save(family: RefreshTokenFamily, issuedTokenHash?: string): Promise<void>;
}

/** Events of the transaction, written to the outbox with it. */
export interface UserEvents {
  accountRegistered(account: Account): void;
  refreshTokenReuseDetected(family: RefreshTokenFamily, at: Date): void;
  accountLocked(accountId: string, lockedUntil: Date, failures: number): void;
}

export interface UserTx {
  accounts: AccountRepository;
  families: RefreshFamilyRepository;
  events: UserEvents;
}

export interface UnitOfWork {
  run<T>(ctx: RequestContext, work: (tx: UserTx) => Promise<T>): Promise<T>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the time of a verification, for unknown accounts (no timing oracle). */
  verifyNothing(password: string): Promise<void>;
}

export interface ThrottleVerdict {
  failures: number;
  lockedUntil?: Date;
}

/** Failed-login counting per account and per IP, with timed locks (Redis). */
export interface LoginThrottle {
  /** Throws LOGIN_LOCKED or LOGIN_THROTTLED (RESOURCE_EXHAUSTED) when no attempt is allowed now. */
  check(accountKey: string, ip: string): Promise<void>;
  recordFailure(accountKey: string, ip: string): Promise<ThrottleVerdict>;
  recordSuccess(accountKey: string): Promise<void>;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

export interface TokenSigner {
  signAccess(account: Account, now: Date): Promise<IssuedAccessToken>;
  jwks(now: Date): Promise<{ keys: object[] }>;
  rotate(now: Date): Promise<string>;
}

/** Opaque refresh tokens: random, stored only as a hash. */
export interface TokenSecrets {
  newToken(): string;
  hash(token: string): string;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

export interface AuthSettings {
  refreshTtlMs: number;
}

export const UNIT_OF_WORK = Symbol('UNIT_OF_WORK');
export const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');
export const LOGIN_THROTTLE = Symbol('LOGIN_THROTTLE');
export const TOKEN_SIGNER = Symbol('TOKEN_SIGNER');
export const TOKEN_SECRETS = Symbol('TOKEN_SECRETS');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');
