import { FakeUnitOfWork } from '@emporia/domain/testing';
import { Money } from '@emporia/money';
import type { Logger, RequestContext } from '@emporia/platform';
import type {
  AccountRepository,
  Clock,
  IssuedAccessToken,
  KnownLoginRepository,
  LoginCandidate,
  LoginRepository,
  LoginRiskPort,
  LoginThrottle,
  MembershipRepository,
  MfaRepository,
  PasswordHasher,
  PrivacyRepository,
  ProfileRepository,
  RefreshFamilyRepository,
  RevocationRepository,
  SecretBox,
  SecurityChange,
  ThrottleVerdict,
  TokenRevocation,
  TokenSecrets,
  TokenSigner,
  UnitOfWork,
  UserEvents,
  UserTx,
} from '../application/ports';
import type { Account } from '../domain/account';
import type { LoginRiskVerdict } from '../domain/login-risk';
import type { SpendRecord, TierDefinition } from '../domain/membership-tier';
import type { MfaChallenge, MfaCredential } from '../domain/mfa';
import type { Address, Consent, ConsentPurpose, Profile } from '../domain/profile';
import type { LedgerEntry, PointsAccount, PointsLot } from '../domain/points-ledger';
import { isLive, type RefreshTokenFamily } from '../domain/refresh-token-family';
import type { SmsCode } from '../domain/sms-code';
import type { Passkey, PasskeyChallenge } from '../domain/passkey';
import { UserError } from '../domain/user-error';
import { MemPasskeys } from './in-memory-passkeys';
import { MemAccountSecurity, MemSmsCodes } from './in-memory-security';

/**
 * In-memory ports of the user service for fast application-layer tests (CONVENTIONS 18).
 * Every table is a top-level map of immutable values keyed as its primary key, so a snapshot
 * of the maps is a snapshot of the database. Behaves like the SQL adapters where the use cases
 * depend on it:
 * - an e-mail or phone already registered makes `accounts.insert` throw ACCOUNT_EXISTS (the
 *   adapter's mapping of the unique violation);
 * - refresh tokens are stored by hash; `findByTokenForUpdate` of a rotated-out token lists it in
 *   `retiredTokenIds`, as the SQL join does;
 * - spend is unique per (account, ref) (`addSpend` keeps the first), memberships start at the
 *   lowest tier, `replaceTiers` refuses TIER_IN_USE and bumps the tier-table version;
 * - `loadPoints` returns the slice the SQL returns (lots with points left, lots and entries of
 *   the refs);
 * - addresses list default first, then most recently updated (then id, descending).
 * Locking is simplified: calls run one at a time, so `lock`/`FOR UPDATE` only read.
 */

/** An outbox row as the fake records it. */
export interface RecordedUserEvent {
  type: keyof UserEvents;
  accountId: string;
  /** What else the event said (tier codes and direction, reason, anomaly kinds, …). */
  data: Record<string, unknown>;
}

class RecordingEvents implements UserEvents {
  readonly rows: RecordedUserEvent[] = [];
  private add(type: keyof UserEvents, accountId: string, data: Record<string, unknown> = {}) {
    this.rows.push({ type, accountId, data });
  }
  accountRegistered(a: Account) {
    this.add('accountRegistered', a.id);
  }
  tierChanged(accountId: string, from: string, to: string, direction: string, at: Date) {
    this.add('tierChanged', accountId, { from, to, direction, at });
  }
  refreshTokenReuseDetected(f: RefreshTokenFamily, at: Date) {
    this.add('refreshTokenReuseDetected', f.userId, { familyId: f.id, at });
  }
  accountLocked(accountId: string, lockedUntil: Date, failures: number) {
    this.add('accountLocked', accountId, { lockedUntil, failures });
  }
  loginAnomaly(
    accountId: string,
    kinds: string[],
    deviceId: string,
    ip: string,
    at: Date,
    session?: { deviceName: string; place: string; signedInWith: string },
  ) {
    this.add('loginAnomaly', accountId, { kinds, deviceId, ip, at, ...session });
  }
  securityChanged(
    accountId: string,
    change: SecurityChange,
    at: Date,
    context: { ip?: string; detail?: string } = {},
  ) {
    this.add('securityChanged', accountId, { change, at, ...context });
  }
  accountFrozen(accountId: string, reason: string, at: Date) {
    this.add('accountFrozen', accountId, { reason, at });
  }
  accountUnfrozen(accountId: string, at: Date) {
    this.add('accountUnfrozen', accountId, { at });
  }
  accountDeleted(accountId: string, at: Date) {
    this.add('accountDeleted', accountId, { at });
  }
  mfaChanged(accountId: string, enabled: boolean, at: Date) {
    this.add('mfaChanged', accountId, { enabled, at });
  }
}

/** The lowest tiers the migrations seed (rolling 12-month spend in CNY). */
export const DEFAULT_TIERS: TierDefinition[] = [
  { code: 'MEMBER', name: 'Member', minSpend: Money.of(0, 'CNY') },
  { code: 'SILVER', name: 'Silver', minSpend: Money.of(100000, 'CNY') },
  { code: 'GOLD', name: 'Gold', minSpend: Money.of(500000, 'CNY') },
  { code: 'PLATINUM', name: 'Platinum', minSpend: Money.of(2000000, 'CNY') },
];

interface StoredFamily {
  family: Omit<RefreshTokenFamily, 'retiredTokenIds'>;
  createdAt: Date;
}
export interface Membership {
  accountId: string;
  tierCode: string;
  updatedAt: Date;
  tiersVersion: number;
  evaluatedAt: Date;
}
type StoredLot = PointsLot & { accountId: string };
type StoredEntry = LedgerEntry & { accountId: string; seq: number };

/** Every table of the user database. */
export class InMemoryUserStore {
  accounts = new Map<string, Account>();
  statusReasons = new Map<string, string | null>();
  families = new Map<string, StoredFamily>();
  /** refresh_tokens: token hash → family id. */
  refreshTokens = new Map<string, string>();
  /** known_logins: `account|kind|value` → first seen. */
  knownLogins = new Map<string, { firstSeen: Date; lastSeen: Date }>();
  mfa = new Map<string, MfaCredential>();
  /** mfa_recovery_codes: `account|hash` → used at. */
  recoveryCodes = new Map<string, Date | null>();
  /** mfa_challenges: token hash → challenge. */
  challenges = new Map<string, MfaChallenge>();
  /** passkeys: credential id → passkey. */
  passkeys = new Map<string, Passkey>();
  /** passkey_challenges: challenge hash → challenge. */
  passkeyChallenges = new Map<string, PasskeyChallenge>();
  /** accounts.sms_mfa_enabled_at: account → since (absent: SMS codes are no second factor). */
  smsMfa = new Map<string, Date>();
  /** sms_codes: id → code (hashed). */
  smsCodes = new Map<string, SmsCode>();
  profiles = new Map<string, Profile>();
  /** consents: `account|purpose`. */
  consents = new Map<string, Consent>();
  addresses = new Map<string, Address>();
  tiers: TierDefinition[] = [...DEFAULT_TIERS];
  tiersVersion = 0;
  memberships = new Map<string, Membership>();
  /** member_spend: `account|ref`. */
  spend = new Map<string, SpendRecord & { accountId: string }>();
  lots = new Map<string, StoredLot>();
  ledger: StoredEntry[] = [];
  revocations: TokenRevocation[] = [];
  /** `consumer|eventId`. */
  inbox = new Set<string>();
  /** Committed outbox rows, in commit order. */
  outbox: RecordedUserEvent[] = [];

  /** Committed event types, optionally of one account. */
  eventTypes(accountId?: string): RecordedUserEvent['type'][] {
    return this.outbox.filter((e) => !accountId || e.accountId === accountId).map((e) => e.type);
  }

  familiesOf(accountId: string) {
    return [...this.families.values()].map((f) => f.family).filter((f) => f.userId === accountId);
  }

  ledgerOf(accountId: string): LedgerEntry[] {
    return this.ledger
      .filter((e) => e.accountId === accountId)
      .map(({ accountId: _a, seq: _s, ...e }) => e);
  }
}

class MemAccounts implements AccountRepository {
  constructor(private readonly s: InMemoryUserStore) {}
  findById = async (id: string) => this.s.accounts.get(id) ?? null;
  findByEmail = async (email: string) =>
    [...this.s.accounts.values()].find((a) => a.email === email) ?? null;
  findByPhone = async (phone: string) =>
    [...this.s.accounts.values()].find((a) => a.phone === phone) ?? null;
  async insert(a: Account) {
    for (const o of this.s.accounts.values())
      if (o.id === a.id || (a.email && o.email === a.email) || (a.phone && o.phone === a.phone))
        throw new UserError(
          'ALREADY_EXISTS',
          'ACCOUNT_EXISTS',
          'an account with this e-mail or phone already exists',
        );
    this.s.accounts.set(a.id, a);
  }
  private update(id: string, change: Partial<Account>) {
    const a = this.s.accounts.get(id);
    if (a) this.s.accounts.set(id, { ...a, ...change });
  }
  async setStatus(id: string, status: Account['status'], reason: string | null) {
    this.update(id, { status });
    this.s.statusReasons.set(id, reason);
  }
  lock = async (id: string) => this.s.accounts.get(id) ?? null;
  async setRoles(id: string, roles: Account['roles']) {
    this.update(id, { roles });
  }
  async saveErased(a: Account) {
    this.update(a.id, {
      email: a.email,
      phone: a.phone,
      passwordHash: a.passwordHash,
      status: a.status,
    });
  }
}

class MemKnownLogins implements KnownLoginRepository {
  constructor(private readonly s: InMemoryUserStore) {}
  async record(accountId: string, deviceId: string, ip: string, now: Date) {
    const keys = [...this.s.knownLogins.keys()].filter((k) => k.startsWith(`${accountId}|`));
    const seen = {
      anyBefore: keys.length > 0,
      deviceKnown: keys.includes(`${accountId}|DEVICE|${deviceId}`),
      ipKnown: keys.includes(`${accountId}|IP|${ip}`),
    };
    const upsert = (k: string) =>
      this.s.knownLogins.set(k, {
        firstSeen: this.s.knownLogins.get(k)?.firstSeen ?? now,
        lastSeen: now,
      });
    upsert(`${accountId}|IP|${ip}`);
    if (deviceId) upsert(`${accountId}|DEVICE|${deviceId}`);
    return seen;
  }
}

/** The sign-in's read and statement, as the SQL does them (no lock to take here). */
class MemLogins implements LoginRepository {
  constructor(
    private readonly s: InMemoryUserStore,
    private readonly now: () => Date,
  ) {}
  async findCandidate(
    id: { email: string } | { phone: string },
    client: { deviceId: string; ip: string },
  ): Promise<LoginCandidate | null> {
    const account = await ('email' in id
      ? new MemAccounts(this.s).findByEmail(id.email)
      : new MemAccounts(this.s).findByPhone(id.phone));
    if (!account) return null;
    const known = (kind: string, value: string) =>
      this.s.knownLogins.has(`${account.id}|${kind}|${value}`);
    return {
      account,
      knownClient: known('IP', client.ip) && (!client.deviceId || known('DEVICE', client.deviceId)),
      mfaActive: this.asksSecondFactor(account),
    };
  }
  /** TOTP on, or SMS codes on (with a phone). */
  private asksSecondFactor(account: Account) {
    return (
      this.s.mfa.get(account.id)?.status === 'ACTIVE' ||
      (this.s.smsMfa.has(account.id) && account.phone !== null)
    );
  }
  async openKnownSession(
    f: RefreshTokenFamily,
    client: { deviceId: string; ip: string },
    now: Date,
  ) {
    const account = this.s.accounts.get(f.userId) ?? null;
    if (account?.status !== 'ACTIVE' || this.asksSecondFactor(account))
      return { account, opened: false };
    await new MemKnownLogins(this.s).record(account.id, client.deviceId, client.ip, now);
    await new MemFamilies(this.s, this.now).insert(f);
    return { account, opened: true };
  }
}

class MemFamilies implements RefreshFamilyRepository {
  constructor(
    private readonly s: InMemoryUserStore,
    private readonly now: () => Date,
  ) {}
  async insert(f: RefreshTokenFamily) {
    const { retiredTokenIds: _r, ...family } = f;
    this.s.families.set(f.id, { family, createdAt: this.now() });
    this.s.refreshTokens.set(f.currentTokenId, f.id);
  }
  async findByTokenForUpdate(tokenHash: string) {
    const id = this.s.refreshTokens.get(tokenHash);
    const f = id ? this.s.families.get(id)?.family : undefined;
    if (!f) return null;
    return { ...f, retiredTokenIds: f.currentTokenId === tokenHash ? [] : [tokenHash] };
  }
  async findById(id: string) {
    const f = this.s.families.get(id)?.family;
    return f ? { ...f, retiredTokenIds: [] } : null;
  }
  async listLive(accountId: string, now: Date) {
    return [...this.s.families.values()]
      .map((stored) => ({ ...stored.family, retiredTokenIds: [] }))
      .filter((f) => f.userId === accountId && isLive(f, now))
      .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime() || (a.id < b.id ? 1 : -1));
  }
  async save(f: RefreshTokenFamily, issuedTokenHash?: string) {
    const stored = this.s.families.get(f.id);
    if (!stored) return;
    const { retiredTokenIds: _r, ...family } = f;
    this.s.families.set(f.id, { ...stored, family: { ...stored.family, ...family } });
    if (issuedTokenHash) {
      if (this.s.refreshTokens.has(issuedTokenHash))
        throw new Error('duplicate key refresh_tokens_pkey');
      this.s.refreshTokens.set(issuedTokenHash, f.id);
    }
  }
  async revokeAll(
    accountId: string,
    reason: NonNullable<RefreshTokenFamily['revokedReason']>,
    now: Date,
  ) {
    let n = 0;
    for (const [id, stored] of this.s.families)
      if (stored.family.userId === accountId && !stored.family.revokedAt) {
        this.s.families.set(id, {
          ...stored,
          family: { ...stored.family, revokedAt: now, revokedReason: reason },
        });
        n++;
      }
    return n;
  }
}

class MemMfa implements MfaRepository {
  constructor(private readonly s: InMemoryUserStore) {}
  find = async (accountId: string) => this.s.mfa.get(accountId) ?? null;
  async save(c: MfaCredential) {
    this.s.mfa.set(c.accountId, c);
  }
  async remove(accountId: string) {
    this.s.mfa.delete(accountId);
    for (const k of [...this.s.recoveryCodes.keys()])
      if (k.startsWith(`${accountId}|`)) this.s.recoveryCodes.delete(k);
  }
  async replaceRecoveryCodes(accountId: string, hashes: string[]) {
    for (const k of [...this.s.recoveryCodes.keys()])
      if (k.startsWith(`${accountId}|`)) this.s.recoveryCodes.delete(k);
    for (const h of hashes) this.s.recoveryCodes.set(`${accountId}|${h}`, null);
  }
  async useRecoveryCode(accountId: string, hash: string, now: Date) {
    const k = `${accountId}|${hash}`;
    if (!this.s.recoveryCodes.has(k) || this.s.recoveryCodes.get(k) !== null) return false;
    this.s.recoveryCodes.set(k, now);
    return true;
  }
  recoveryCodesLeft = async (accountId: string) =>
    [...this.s.recoveryCodes].filter(([k, used]) => k.startsWith(`${accountId}|`) && !used).length;
  async insertChallenge(c: MfaChallenge, tokenHash: string) {
    this.s.challenges.set(tokenHash, c);
  }
  findChallengeForUpdate = async (tokenHash: string) => this.s.challenges.get(tokenHash) ?? null;
  async saveChallenge(c: MfaChallenge) {
    for (const [k, old] of this.s.challenges) if (old.id === c.id) this.s.challenges.set(k, c);
  }
}

class MemProfiles implements ProfileRepository {
  constructor(private readonly s: InMemoryUserStore) {}
  profile = async (accountId: string) => this.s.profiles.get(accountId) ?? null;
  async saveProfile(accountId: string, p: Profile) {
    this.s.profiles.set(accountId, p);
  }
  consents = async (accountId: string) =>
    [...this.s.consents]
      .filter(([k]) => k.startsWith(`${accountId}|`))
      .map(([, c]) => c)
      .sort((a, b) => a.purpose.localeCompare(b.purpose));
  async saveConsents(
    accountId: string,
    changes: { purpose: ConsentPurpose; granted: boolean }[],
    now: Date,
  ) {
    for (const c of changes)
      this.s.consents.set(`${accountId}|${c.purpose}`, { ...c, updatedAt: now });
  }
  addresses = async (accountId: string) =>
    [...this.s.addresses.values()]
      .filter((a) => a.accountId === accountId)
      .sort(
        (a, b) =>
          Number(b.isDefault) - Number(a.isDefault) ||
          b.updatedAt.getTime() - a.updatedAt.getTime() ||
          (a.id < b.id ? 1 : -1),
      );
  async insertAddress(a: Address) {
    if (this.s.addresses.has(a.id)) throw new Error('duplicate key addresses_pkey');
    this.s.addresses.set(a.id, { ...a });
  }
  async updateAddress(a: Address) {
    const old = this.s.addresses.get(a.id);
    if (old?.accountId === a.accountId)
      this.s.addresses.set(a.id, { ...a, isDefault: old.isDefault, createdAt: old.createdAt });
  }
  async deleteAddress(accountId: string, id: string) {
    if (this.s.addresses.get(id)?.accountId !== accountId) return false;
    this.s.addresses.delete(id);
    return true;
  }
  async setDefaultAddress(accountId: string, id: string | null) {
    for (const a of this.s.addresses.values())
      if (a.accountId === accountId && a.isDefault !== (a.id === id))
        this.s.addresses.set(a.id, { ...a, isDefault: a.id === id });
  }
}

class MemPrivacy implements PrivacyRepository {
  constructor(private readonly s: InMemoryUserStore) {}
  async exportData(accountId: string) {
    const mine = <V>(m: Map<string, V>) =>
      [...m].filter(([k]) => k.startsWith(`${accountId}|`)).map(([, v]) => v);
    return {
      profile: this.s.profiles.get(accountId) ?? null,
      consents: mine(this.s.consents),
      addresses: [...this.s.addresses.values()].filter((a) => a.accountId === accountId),
      membership: this.s.memberships.get(accountId) ?? null,
      spend: [...this.s.spend.values()].filter((x) => x.accountId === accountId),
      pointsLedger: this.s.ledgerOf(accountId),
      knownLogins: [...this.s.knownLogins.keys()].filter((k) => k.startsWith(`${accountId}|`)),
      sessions: this.s.familiesOf(accountId),
      mfa: this.s.mfa.get(accountId) ?? null,
      passkeys: MemPasskeys.exported(this.s, accountId),
    };
  }
  async erasePersonalData(accountId: string) {
    const own = (k: string) => k.startsWith(`${accountId}|`);
    this.s.profiles.delete(accountId);
    for (const m of [this.s.consents, this.s.knownLogins, this.s.recoveryCodes])
      for (const k of [...m.keys()]) if (own(k)) m.delete(k);
    for (const a of [...this.s.addresses.values()])
      if (a.accountId === accountId) this.s.addresses.delete(a.id);
    for (const [k, c] of [...this.s.challenges])
      if (c.accountId === accountId) this.s.challenges.delete(k);
    this.s.mfa.delete(accountId);
    MemPasskeys.erase(this.s, accountId);
    MemAccountSecurity.erase(this.s, accountId);
  }
}

class MemMembership implements MembershipRepository {
  constructor(private readonly s: InMemoryUserStore) {}
  tiers = async () =>
    [...this.s.tiers].sort((a, b) => a.minSpend.amountMinor - b.minSpend.amountMinor);
  async lockMembership(accountId: string, now: Date) {
    if (!this.s.accounts.has(accountId))
      throw new Error('violates foreign key constraint "memberships_account_id_fkey"');
    if (!this.s.memberships.has(accountId))
      this.s.memberships.set(accountId, {
        accountId,
        tierCode: (await this.tiers())[0].code,
        updatedAt: now,
        tiersVersion: this.s.tiersVersion,
        evaluatedAt: now,
      });
    return this.s.memberships.get(accountId)!.tierCode;
  }
  async lockMembershipOfAccount(accountId: string, now: Date) {
    return this.s.accounts.has(accountId) ? this.lockMembership(accountId, now) : null;
  }
  private update(accountId: string, change: Partial<Membership>) {
    const m = this.s.memberships.get(accountId);
    if (m) this.s.memberships.set(accountId, { ...m, ...change });
  }
  async setTier(accountId: string, code: string, now: Date) {
    this.update(accountId, { tierCode: code, updatedAt: now, evaluatedAt: now });
  }
  async addSpend(accountId: string, record: SpendRecord) {
    const k = `${accountId}|${record.ref}`;
    if (!this.s.spend.has(k)) this.s.spend.set(k, { ...record, accountId });
  }
  tiersAndSpendSince = async (accountId: string, from: Date) => ({
    tiers: await this.tiers(),
    spend: [...this.s.spend.values()]
      .filter((x) => x.accountId === accountId && x.at.getTime() > from.getTime())
      .map(({ accountId: _a, ...r }) => r),
  });
  pointsTiersAndSpendSince = async (accountId: string, refs: string[], from: Date) => ({
    points: await this.loadPoints(accountId, refs),
    ...(await this.tiersAndSpendSince(accountId, from)),
  });
  async loadPoints(accountId: string, refs: string[]): Promise<PointsAccount> {
    const stored = this.s.ledger.filter((e) => e.accountId === accountId && refs.includes(e.ref));
    const lotIds = new Set(stored.map((e) => e.lotId));
    const lots = [...this.s.lots.values()]
      .filter(
        (l) =>
          l.accountId === accountId &&
          (l.remaining > 0 || refs.includes(l.sourceRef) || lotIds.has(l.id)),
      )
      .sort((a, b) => a.earnedAt.getTime() - b.earnedAt.getTime() || (a.id < b.id ? -1 : 1))
      .map(({ accountId: _a, ...l }) => l);
    return {
      lots,
      entries: stored.sort((a, b) => a.seq - b.seq).map(({ accountId: _a, seq: _s, ...e }) => e),
    };
  }
  async savePoints(
    accountId: string,
    before: PointsAccount,
    after: PointsAccount,
    added: LedgerEntry[],
  ) {
    const old = new Map(before.lots.map((l) => [l.id, l]));
    for (const lot of after.lots) {
      const prev = old.get(lot.id);
      if (!prev) {
        if (this.s.lots.has(lot.id)) throw new Error('duplicate key points_lots_pkey');
        this.s.lots.set(lot.id, { ...lot, accountId });
      } else if (prev.remaining !== lot.remaining) {
        this.s.lots.set(lot.id, { ...this.s.lots.get(lot.id)!, remaining: lot.remaining });
      }
    }
    for (const e of added) {
      if (e.balanceAfter < 0) throw new Error('violates check constraint on balance_after');
      this.s.ledger.push({ ...e, accountId, seq: this.s.ledger.length + 1 });
    }
  }
  accountsWithExpiredPoints = async (now: Date, limit: number) =>
    [
      ...new Set(
        [...this.s.lots.values()]
          .filter((l) => l.remaining > 0 && l.expiresAt.getTime() <= now.getTime())
          .map((l) => l.accountId),
      ),
    ].slice(0, limit);
  async tierMembers() {
    const n = new Map<string, number>();
    for (const m of this.s.memberships.values()) n.set(m.tierCode, (n.get(m.tierCode) ?? 0) + 1);
    return n;
  }
  async replaceTiers(tiers: TierDefinition[]) {
    const codes = new Set(tiers.map((t) => t.code));
    const inUse = [...(await this.tierMembers())].filter(([code]) => !codes.has(code));
    if (inUse.length > 0)
      throw new UserError(
        'FAILED_PRECONDITION',
        'TIER_IN_USE',
        `tier(s) ${inUse.map(([c, n]) => `${c} (${n} members)`).join(', ')} still have members`,
        { tiers: inUse.map(([c]) => c) },
      );
    this.s.tiers = [...tiers];
    this.s.tiersVersion++;
    return this.s.memberships.size;
  }
  membershipsToReevaluate = async (limit: number, staleBefore: Date) =>
    [...this.s.memberships.values()]
      .filter(
        (m) =>
          m.tiersVersion < this.s.tiersVersion || m.evaluatedAt.getTime() < staleBefore.getTime(),
      )
      .sort((a, b) => a.evaluatedAt.getTime() - b.evaluatedAt.getTime())
      .slice(0, limit)
      .map((m) => m.accountId);
  async markEvaluated(accountId: string, now: Date) {
    this.update(accountId, { tiersVersion: this.s.tiersVersion, evaluatedAt: now });
  }
}

class MemRevocations implements RevocationRepository {
  constructor(private readonly s: InMemoryUserStore) {}
  async add(r: TokenRevocation) {
    this.s.revocations.push(r);
  }
}

/**
 * The fake unit of work (transactions, inbox and `failNextRuns` from `FakeUnitOfWork`):
 * each `run` commits its writes and recorded events when the work returns, rolls back when it throws.
 */
export class InMemoryUserUnitOfWork
  extends FakeUnitOfWork<UserTx, RecordedUserEvent, InMemoryUserStore>
  implements UnitOfWork
{
  constructor(
    store = new InMemoryUserStore(),
    private readonly clock: Clock = { now: () => new Date() },
  ) {
    super(store);
  }

  /** A read: a transaction here too (the fake's runs are cheap; failNextRuns applies alike). */
  read<T>(ctx: RequestContext, work: (tx: UserTx) => Promise<T>): Promise<T> {
    return this.run(ctx, work);
  }

  protected begin() {
    const s = this.store;
    const events = new RecordingEvents();
    const tx: UserTx = {
      accounts: new MemAccounts(s),
      families: new MemFamilies(s, () => this.clock.now()),
      membership: new MemMembership(s),
      knownLogins: new MemKnownLogins(s),
      logins: new MemLogins(s, () => this.clock.now()),
      mfa: new MemMfa(s),
      passkeys: new MemPasskeys(s),
      security: new MemAccountSecurity(s),
      smsCodes: new MemSmsCodes(s),
      profiles: new MemProfiles(s),
      privacy: new MemPrivacy(s),
      revocations: new MemRevocations(s),
      events,
    };
    return { tx, recorded: events };
  }
}

/** Makes the next call of a fake's method throw `error` (once, or `times`). */
export class Faults {
  private readonly next = new Map<string, { error: unknown; times: number }>();
  fail(method: string, error: unknown, times = 1): void {
    this.next.set(method, { error, times });
  }
  check(method: string): void {
    const f = this.next.get(method);
    if (!f) return;
    if (--f.times <= 0) this.next.delete(method);
    throw f.error;
  }
}

/** Not a hash: `hashed:<password>`, so tests stay fast (argon2 is the adapter's business). */
export class FakePasswordHasher implements PasswordHasher {
  verifiedNothing = 0;
  hash = async (password: string) => `hashed:${password}`;
  verify = async (hash: string, password: string) => hash === `hashed:${password}`;
  async verifyNothing() {
    this.verifiedNothing++;
  }
}

/**
 * Failed-login counting like the Redis throttle, simplified: `maxFailures` failures of one
 * account lock it for `lockMs` (LOGIN_LOCKED); IPs are not throttled.
 */
export class FakeLoginThrottle implements LoginThrottle {
  readonly failures = new Map<string, number>();
  readonly lockedUntil = new Map<string, Date>();
  constructor(
    private readonly clock: Clock,
    private readonly maxFailures = 5,
    private readonly lockMs = 15 * 60_000,
  ) {}
  async check(accountKey: string) {
    const until = this.lockedUntil.get(accountKey);
    if (until && until.getTime() > this.clock.now().getTime())
      throw new UserError('RESOURCE_EXHAUSTED', 'LOGIN_LOCKED', 'too many failed attempts');
    return { accountFailures: this.failures.get(accountKey) ?? 0 };
  }
  async recordFailure(accountKey: string): Promise<ThrottleVerdict> {
    const failures = (this.failures.get(accountKey) ?? 0) + 1;
    this.failures.set(accountKey, failures);
    if (failures < this.maxFailures) return { failures };
    const lockedUntil = new Date(this.clock.now().getTime() + this.lockMs);
    this.lockedUntil.set(accountKey, lockedUntil);
    return { failures, lockedUntil };
  }
  async recordSuccess(accountKey: string) {
    this.failures.delete(accountKey);
  }
}

/** Risk answers `verdict` (ALLOW by default) and records what it scored. */
export class FakeLoginRisk implements LoginRiskPort {
  readonly scored: { accountId: string; ip: string; deviceId: string }[] = [];
  verdict: LoginRiskVerdict = { decision: 'ALLOW', score: 1, reasons: [], degraded: false };
  async scoreLogin(
    _ctx: RequestContext,
    input: { accountId: string; ip: string; deviceId: string },
  ) {
    this.scored.push(input);
    return this.verdict;
  }
}

/**
 * Access tokens as readable strings `access:<account>:<session>:<roles>@<ms>`; `signed` keeps each
 * token's claims (`mfaAt`: the `mfa_at` claim's instant, null when absent).
 */
export class FakeTokenSigner implements TokenSigner {
  readonly signed: {
    accountId: string;
    sessionId: string;
    roles: string[];
    at: Date;
    mfaAt: Date | null;
  }[] = [];
  constructor(private readonly ttlMs = 15 * 60_000) {}
  async signAccess(
    account: Account,
    now: Date,
    sessionId: string,
    mfaAt?: Date | null,
  ): Promise<IssuedAccessToken> {
    this.signed.push({
      accountId: account.id,
      sessionId,
      roles: account.roles,
      at: now,
      mfaAt: mfaAt ?? null,
    });
    return {
      token: `access:${account.id}:${sessionId}:${account.roles.join(',')}@${now.getTime()}`,
      expiresAt: new Date(now.getTime() + this.ttlMs),
    };
  }
  jwks = async () => ({ keys: [] });
  rotate = async () => 'fake-key';
}

/** Refresh tokens `rt-1`, `rt-2`, …; their "hash" is `h(<token>)`. */
export class FakeTokenSecrets implements TokenSecrets {
  private n = 0;
  newToken = () => `rt-${++this.n}`;
  hash = (token: string) => `h(${token})`;
  randomBytes = (n: number) => new Uint8Array(n).map((_, i) => (i * 37 + this.n++) & 0xff);
}

/** Not encryption: base64 with a marker, enough for the use cases (which never look inside). */
export const fakeSecretBox: SecretBox = {
  seal: (plain) => `sealed:${Buffer.from(plain).toString('base64')}`,
  open: (sealed) => new Uint8Array(Buffer.from(sealed.replace(/^sealed:/, ''), 'base64')),
};

/** A logger that keeps what use cases warn about (the use cases only call `warn`). */
export function recordingLogger(): Logger & { warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  const log = {
    warnings,
    warn: (...args: unknown[]) => void warnings.push(args),
    info: () => undefined,
    error: () => undefined,
    debug: () => undefined,
  };
  return log as unknown as Logger & { warnings: unknown[][] };
}

export { FakeClock, SequentialIds } from '@emporia/domain/testing';
