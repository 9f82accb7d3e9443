import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { Account } from '../domain/account';
import type { LoginRiskVerdict } from '../domain/login-risk';
import type { MfaChallenge, MfaCredential } from '../domain/mfa';
import type { Hmac } from '../domain/totp';
import type { Address, Consent, ConsentPurpose, Profile } from '../domain/profile';
import type { SpendRecord, TierDefinition } from '../domain/membership-tier';
import type { LedgerEntry, PointsAccount } from '../domain/points-ledger';
import type { RefreshTokenFamily } from '../domain/refresh-token-family';
import type { AccountSecurityRepository, SmsCodeRepository } from './security.ports';
import type { PasskeyRepository } from './passkey.ports';

export interface AccountRepository {
  findById(id: string): Promise<Account | null>;
  findByEmail(email: string): Promise<Account | null>;
  findByPhone(phone: string): Promise<Account | null>;
  insert(account: Account): Promise<void>;
  setStatus(id: string, status: Account['status'], reason: string | null): Promise<void>;
  /** The account, row-locked for the rest of the transaction (serialises per-account changes). */
  lock(id: string): Promise<Account | null>;
  setRoles(id: string, roles: Account['roles']): Promise<void>;
  /** Writes the anonymised identifiers, password and status of an erased account. */
  saveErased(account: Account, at: Date): Promise<void>;
}

export interface MfaRepository {
  find(accountId: string): Promise<MfaCredential | null>;
  save(credential: MfaCredential): Promise<void>;
  /** Removes the credential and its recovery codes. */
  remove(accountId: string): Promise<void>;
  replaceRecoveryCodes(accountId: string, hashes: string[]): Promise<void>;
  /** Marks an unused code used; false when there is none with this hash. */
  useRecoveryCode(accountId: string, hash: string, now: Date): Promise<boolean>;
  recoveryCodesLeft(accountId: string): Promise<number>;
  insertChallenge(challenge: MfaChallenge, tokenHash: string): Promise<void>;
  findChallengeForUpdate(tokenHash: string): Promise<MfaChallenge | null>;
  saveChallenge(challenge: MfaChallenge): Promise<void>;
}

export interface ProfileRepository {
  profile(accountId: string): Promise<Profile | null>;
  saveProfile(accountId: string, profile: Profile, now: Date): Promise<void>;
  consents(accountId: string): Promise<Consent[]>;
  saveConsents(
    accountId: string,
    changes: { purpose: ConsentPurpose; granted: boolean }[],
    now: Date,
  ): Promise<void>;
  /** The default first, then most recently updated first. */
  addresses(accountId: string): Promise<Address[]>;
  insertAddress(address: Address): Promise<void>;
  updateAddress(address: Address): Promise<void>;
  deleteAddress(accountId: string, id: string): Promise<boolean>;
  /** Makes `id` the only default of the account (null: none). */
  setDefaultAddress(accountId: string, id: string | null): Promise<void>;
}

/** Reads and erases everything personal the service holds about an account. */
export interface PrivacyRepository {
  exportData(accountId: string): Promise<Record<string, unknown>>;
  erasePersonalData(accountId: string): Promise<void>;
}

export interface KnownLoginRepository {
  /** Records a successful login's device and IP; says what the account had used before. */
  record(
    accountId: string,
    deviceId: string,
    ip: string,
    now: Date,
  ): Promise<{ anyBefore: boolean; deviceKnown: boolean; ipKnown: boolean }>;
}

/** What a sign-in reads before its password check: the account and what it knows of the client. */
export interface LoginCandidate {
  account: Account;
  /**
   * The address and the device (when one is given) were both seen before on this account, so a
   * sign-in from them reports no `LoginAnomaly` (known logins are never forgotten while the
   * account lives).
   */
  knownClient: boolean;
  /**
   * A second factor was asked when read (TOTP or SMS codes on): a hint (the sign-in reads it again
   * under the account's row lock).
   */
  mfaActive: boolean;
}

/** The sign-in's hot path: one read before the password check, one statement after it. */
export interface LoginRepository {
  /** The account by e-mail or phone with what it knows of this client, or null. */
  findCandidate(
    id: { email: string } | { phone: string },
    client: { deviceId: string; ip: string },
  ): Promise<LoginCandidate | null>;
  /**
   * A session from a known client, as one statement (atomic by itself): locks the account row
   * and, only when the account is ACTIVE without active MFA, refreshes the device's and address's
   * last use and stores `family` with its first token. Returns the account as locked (null: no
   * such row) and whether the session was stored; when it was not, nothing was written.
   */
  openKnownSession(
    family: RefreshTokenFamily,
    client: { deviceId: string; ip: string },
    now: Date,
  ): Promise<{ account: Account | null; opened: boolean }>;
}

export interface RefreshFamilyRepository {
  /** Stores a new family with its first token (by hash). */
  insert(family: RefreshTokenFamily): Promise<void>;
  /**
   * The family the token hash belongs to, row-locked, or null. When the token is not the
   * family's current one, it is listed in `retiredTokenIds`.
   */
  findByTokenForUpdate(tokenHash: string): Promise<RefreshTokenFamily | null>;
  /**
   * A session by id (row-locked with `forUpdate`), or null (also for an id that cannot be one).
   * Its `retiredTokenIds` are not read (empty).
   */
  findById(id: string, forUpdate?: boolean): Promise<RefreshTokenFamily | null>;
  /** The account's live sessions (not ended, not expired), most recently used first. */
  listLive(accountId: string, now: Date): Promise<RefreshTokenFamily[]>;
  /**
   * Saves state (token, revocation, last use, client address and place, second factor);
   * `issuedTokenHash` records a newly issued token of the family.
   */
  save(family: RefreshTokenFamily, issuedTokenHash?: string): Promise<void>;
  /** Revokes every live family of the account (freeze). */
  revokeAll(
    accountId: string,
    reason: NonNullable<RefreshTokenFamily['revokedReason']>,
    now: Date,
  ): Promise<number>;
}

export interface MembershipRepository {
  tiers(): Promise<TierDefinition[]>;
  /** Creates the membership at the base tier if needed, locks it, returns the current tier code. */
  lockMembership(accountId: string, now: Date): Promise<string>;
  /**
   * `lockMembership` for an account that may not exist (an event's: guest checkouts), in one
   * round trip with the account's check: null, and nothing written, when there is no account.
   */
  lockMembershipOfAccount(accountId: string, now: Date): Promise<string | null>;
  setTier(accountId: string, code: string, now: Date): Promise<void>;
  /**
   * Records spend under its reference, held until the transaction's next statement or COMMIT
   * (no round trip of its own; later reads in the transaction see it). A reference already
   * recorded is left as it is: a replay counts nothing twice.
   */
  addSpend(accountId: string, record: SpendRecord): Promise<void>;
  /** The tier table, and the spend records after `from`, in one round trip. */
  tiersAndSpendSince(
    accountId: string,
    from: Date,
  ): Promise<{ tiers: TierDefinition[]; spend: SpendRecord[] }>;
  /**
   * `loadPoints(accountId, refs)` and `tiersAndSpendSince(accountId, from)` in one round trip
   * (one snapshot): for a points change followed by a tier evaluation, which reads no points.
   */
  pointsTiersAndSpendSince(
    accountId: string,
    refs: string[],
    from: Date,
  ): Promise<{ points: PointsAccount; tiers: TierDefinition[]; spend: SpendRecord[] }>;
  loadPoints(accountId: string, refs: string[]): Promise<PointsAccount>;
  savePoints(
    accountId: string,
    before: PointsAccount,
    after: PointsAccount,
    added: LedgerEntry[],
  ): Promise<void>;
  accountsWithExpiredPoints(now: Date, limit: number): Promise<string[]>;
  /** Active tiers with their member counts. */
  tierMembers(): Promise<Map<string, number>>;
  /**
   * Replaces the tier table and bumps its version; returns how many memberships the sweep will
   * re-evaluate. Throws TIER_IN_USE when a removed tier still has members.
   */
  replaceTiers(tiers: TierDefinition[]): Promise<number>;
  /**
   * Memberships due for re-evaluation: evaluated against an older tier table, or not since
   * `staleBefore` (spend leaves the 12-month window without an event). Longest-waiting first.
   */
  membershipsToReevaluate(limit: number, staleBefore: Date): Promise<string[]>;
  markEvaluated(accountId: string, now: Date): Promise<void>;
}

/**
 * Access tokens to refuse from now on. Recorded in the transaction of the change that causes it
 * and pushed to the gateway's revocation list (Redis) after commit; see `RevocationRepository`.
 */
export interface TokenRevocation {
  accountId: string;
  /** One session (refresh-token family, the token's `sid`); absent: every session of the account. */
  sessionId?: string;
  /** Tokens issued at or before this instant are refused. */
  before: Date;
}

/**
 * Revocations, written in the transaction of the change (freeze, erasure, fewer roles, a
 * session ended): they commit together or not at all. The revocation relay pushes each to the
 * list after commit and retries until the list has it or its tokens have expired, so a freeze
 * is never lost to Redis being down.
 */
export interface RevocationRepository {
  add(revocation: TokenRevocation): Promise<void>;
}

/** Events of the transaction, written to the outbox with it. */
export interface UserEvents {
  accountRegistered(account: Account): void;
  tierChanged(
    accountId: string,
    from: string,
    to: string,
    direction: 'UPGRADE' | 'DOWNGRADE',
    at: Date,
  ): void;
  refreshTokenReuseDetected(family: RefreshTokenFamily, at: Date): void;
  accountLocked(accountId: string, lockedUntil: Date, failures: number): void;
  loginAnomaly(
    accountId: string,
    kinds: string[],
    deviceId: string,
    ip: string,
    at: Date,
    session?: { deviceName: string; place: string; signedInWith: string },
  ): void;
  accountFrozen(accountId: string, reason: string, at: Date): void;
  accountUnfrozen(accountId: string, at: Date): void;
  accountDeleted(accountId: string, at: Date): void;
  mfaChanged(accountId: string, enabled: boolean, at: Date): void;
  /**
   * A security setting changed (`SecurityChanged`): the owner is told at once. `detail` is what
   * the message may show (a passkey's name, the masked new e-mail or phone), `ip` the client's.
   */
  securityChanged(
    accountId: string,
    change: SecurityChange,
    at: Date,
    context?: { ip?: string; detail?: string },
  ): void;
}

/** What `SecurityChanged` reports (events.proto). */
export type SecurityChange =
  | 'PASSWORD'
  | 'EMAIL'
  | 'PHONE'
  | 'PASSKEY_ADDED'
  | 'PASSKEY_REMOVED'
  | 'SMS_MFA_ON'
  | 'SMS_MFA_OFF'
  | 'SESSION_REVOKED'
  | 'DEVICE_FORGOTTEN';

export interface UserTx {
  accounts: AccountRepository;
  families: RefreshFamilyRepository;
  membership: MembershipRepository;
  knownLogins: KnownLoginRepository;
  logins: LoginRepository;
  mfa: MfaRepository;
  /** Passkeys and their ceremonies' challenges (passkey.ports.ts). */
  passkeys: PasskeyRepository;
  profiles: ProfileRepository;
  privacy: PrivacyRepository;
  revocations: RevocationRepository;
  events: UserEvents;
  security: AccountSecurityRepository;
  smsCodes: SmsCodeRepository;
}

export interface UnitOfWork {
  run<T>(ctx: RequestContext, work: (tx: UserTx) => Promise<T>): Promise<T>;
  /**
   * Read-only work outside a transaction (no BEGIN/COMMIT round trips): for reads that need no
   * snapshot across their queries and no locks. Writes and events belong in `run`.
   */
  read<T>(ctx: RequestContext, work: (tx: UserTx) => Promise<T>): Promise<T>;
  /**
   * Work that is one statement, atomic by itself (Postgres runs a statement outside a
   * transaction as its own): no BEGIN/COMMIT round trips. Events are refused (they need `run`).
   */
  statement<T>(ctx: RequestContext, work: (tx: UserTx) => Promise<T>): Promise<T>;
  /**
   * Runs `work` for a consumed event, recording it in the inbox in the same transaction:
   * returns false (and does nothing) when `consumer` already handled this event.
   */
  runForEvent(
    ctx: RequestContext,
    consumer: string,
    event: ReceivedEvent,
    work: (tx: UserTx) => Promise<void>,
  ): Promise<boolean>;
}

export interface PointsSettings {
  /** Points per major currency unit paid (1 point per yuan by default). */
  perMajorUnit: number;
  ttlMs: number;
  /** Points for an approved first review with photos (`REVIEW_PHOTO_POINTS`; 0 disables). */
  reviewPhotoPoints: number;
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
  /**
   * Throws LOGIN_LOCKED or LOGIN_THROTTLED (RESOURCE_EXHAUSTED) when no attempt is allowed now;
   * otherwise says how many failures the account has counted (a success clears only a count
   * that was there: failures counted while the password was being checked stay).
   */
  check(accountKey: string, ip: string): Promise<{ accountFailures: number }>;
  recordFailure(accountKey: string, ip: string): Promise<ThrottleVerdict>;
  recordSuccess(accountKey: string): Promise<void>;
}

/**
 * Risk scoring of a sign-in (risk's ScoreLogin) with a short deadline. Never throws: when risk
 * is not configured, down or slow, the answer is ALLOW with `degraded` (sign-ins fail open).
 */
export interface LoginRiskPort {
  scoreLogin(
    ctx: RequestContext,
    input: { accountId: string; ip: string; deviceId: string },
  ): Promise<LoginRiskVerdict>;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

export interface TokenSigner {
  /**
   * An access token for the account's current roles, naming its session (`sid`, the refresh
   * family) and issued at `now` to the millisecond (`iat` with a fraction), so a revocation at
   * any instant tells tokens issued before it from those issued after. `mfaAt`, the session's
   * `secondFactorAt`, becomes the `mfa_at` claim (epoch seconds) when set, so the gateway and
   * order can ask for a recent second factor.
   */
  signAccess(
    account: Account,
    now: Date,
    sessionId: string,
    mfaAt?: Date | null,
  ): Promise<IssuedAccessToken>;
  jwks(now: Date): Promise<{ keys: object[] }>;
  rotate(now: Date): Promise<string>;
}

/** Opaque refresh tokens: random, stored only as a hash. */
export interface TokenSecrets {
  newToken(): string;
  hash(token: string): string;
  randomBytes(n: number): Uint8Array;
}

/** Encrypts small secrets at rest (MFA seeds): authenticated encryption, key from config. */
export interface SecretBox {
  seal(plain: Uint8Array): string;
  open(sealed: string): Uint8Array;
}

export interface MfaSettings {
  /** Shown by authenticator apps next to the account. */
  issuer: string;
  hmac: Hmac;
}

export type { Clock, IdGenerator } from '@emporia/domain';

export interface AuthSettings {
  refreshTtlMs: number;
  /** How long a step-up allows sensitive changes (`STEP_UP_WINDOW_SECONDS`); 5 minutes unless set. */
  stepUpWindowMs?: number;
}

export const UNIT_OF_WORK = Symbol('UNIT_OF_WORK');
export const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');
export const LOGIN_THROTTLE = Symbol('LOGIN_THROTTLE');
export const LOGIN_RISK = Symbol('LOGIN_RISK');
export const TOKEN_SIGNER = Symbol('TOKEN_SIGNER');
export const TOKEN_SECRETS = Symbol('TOKEN_SECRETS');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');
export const POINTS_SETTINGS = Symbol('POINTS_SETTINGS');
export const SECRET_BOX = Symbol('SECRET_BOX');
export const MFA_SETTINGS = Symbol('MFA_SETTINGS');
