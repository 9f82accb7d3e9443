import type { RequestContext } from '@emporia/platform';
import type {
  AccountSecurityRepository,
  KnownDevice,
  OneTimeCodeHasher,
  OneTimeCodeMessage,
  OneTimeCodeSender,
  PlaceLookup,
  SmsCodeRepository,
  SmsSendLimiter,
} from '../application/security.ports';
import type { Account } from '../domain/account';
import type { RefreshTokenFamily } from '../domain/refresh-token-family';
import type { SmsCode, SmsCodePurpose } from '../domain/sms-code';
import {
  DEFAULT_SMS_SEND_LIMITS,
  sendRefused,
  sendVerdict,
  type SmsSendLimits,
} from '../domain/sms-limits';
import { UserError } from '../domain/user-error';

/** The tables of issue 23 in the in-memory store (a part of `InMemoryUserStore`). */
export interface SecurityTables {
  accounts: Map<string, Account>;
  families: Map<string, { family: Omit<RefreshTokenFamily, 'retiredTokenIds'> }>;
  knownLogins: Map<string, { firstSeen: Date; lastSeen: Date }>;
  /** accounts.sms_mfa_enabled_at: account → since. */
  smsMfa: Map<string, Date>;
  /** sms_codes: id → code. */
  smsCodes: Map<string, SmsCode>;
}

/** As the SQL adapter: unique identifiers, devices with their sessions' name and place. */
export class MemAccountSecurity implements AccountSecurityRepository {
  constructor(private readonly s: SecurityTables) {}

  smsMfaEnabledAt = async (accountId: string) => this.s.smsMfa.get(accountId) ?? null;
  async setSmsMfa(accountId: string, enabledAt: Date | null) {
    if (enabledAt) this.s.smsMfa.set(accountId, enabledAt);
    else this.s.smsMfa.delete(accountId);
  }
  private update(id: string, change: Partial<Account>) {
    const a = this.s.accounts.get(id);
    if (a) this.s.accounts.set(id, { ...a, ...change });
  }
  async setPasswordHash(accountId: string, passwordHash: string) {
    this.update(accountId, { passwordHash });
  }
  async setEmail(accountId: string, email: string) {
    for (const a of this.s.accounts.values())
      if (a.id !== accountId && a.email === email)
        throw new UserError('ALREADY_EXISTS', 'EMAIL_TAKEN', 'another account has this e-mail');
    this.update(accountId, { email });
  }
  async setPhone(accountId: string, phone: string) {
    for (const a of this.s.accounts.values())
      if (a.id !== accountId && a.phone === phone)
        throw new UserError('ALREADY_EXISTS', 'PHONE_TAKEN', 'another account has this phone');
    this.update(accountId, { phone });
  }
  async devices(accountId: string, now: Date): Promise<KnownDevice[]> {
    const prefix = `${accountId}|DEVICE|`;
    const sessions = [...this.s.families.values()]
      .map((f) => f.family)
      .filter((f) => f.userId === accountId)
      .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
    return [...this.s.knownLogins]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, seen]) => {
        const deviceId = k.slice(prefix.length);
        const mine = sessions.filter((f) => f.client.deviceId === deviceId);
        return {
          deviceId,
          name: mine[0]?.client.deviceName ?? '',
          firstSeenAt: seen.firstSeen,
          lastSeenAt: seen.lastSeen,
          lastPlace: mine[0]?.client.place ?? '',
          activeSessions: mine.filter((f) => !f.revokedAt && f.expiresAt.getTime() > now.getTime())
            .length,
        };
      })
      .sort(
        (a, b) =>
          b.lastSeenAt.getTime() - a.lastSeenAt.getTime() || a.deviceId.localeCompare(b.deviceId),
      );
  }
  async forgetDevice(accountId: string, deviceId: string) {
    return this.s.knownLogins.delete(`${accountId}|DEVICE|${deviceId}`);
  }
  /** Erasure, as `eraseSecurityData`: codes go, SMS MFA off, sessions without their client. */
  static erase(s: SecurityTables, accountId: string): void {
    for (const c of [...s.smsCodes.values()])
      if (c.accountId === accountId) s.smsCodes.delete(c.id);
    s.smsMfa.delete(accountId);
    for (const [id, stored] of s.families)
      if (stored.family.userId === accountId)
        s.families.set(id, {
          ...stored,
          family: { ...stored.family, client: { deviceId: '', deviceName: '', ip: '', place: '' } },
        });
  }
}

export class MemSmsCodes implements SmsCodeRepository {
  constructor(private readonly s: SecurityTables) {}
  async insert(c: SmsCode) {
    if (this.s.smsCodes.has(c.id)) throw new Error('duplicate key sms_codes_pkey');
    this.s.smsCodes.set(c.id, { ...c });
  }
  latestForUpdate = async (accountId: string, purpose: SmsCodePurpose, subject: string) =>
    [...this.s.smsCodes.values()]
      .filter((c) => c.accountId === accountId && c.purpose === purpose && c.subject === subject)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))[0] ??
    null;
  async save(c: SmsCode) {
    const old = this.s.smsCodes.get(c.id);
    if (old) this.s.smsCodes.set(c.id, { ...old, attempts: c.attempts, usedAt: c.usedAt });
  }
  async delete(id: string) {
    this.s.smsCodes.delete(id);
  }
  async deleteExpired(before: Date, limit: number) {
    const gone = [...this.s.smsCodes.values()]
      .filter((c) => c.expiresAt.getTime() < before.getTime())
      .slice(0, limit);
    for (const c of gone) this.s.smsCodes.delete(c.id);
    return gone.length;
  }
}

/** `otp(<id>:<digits>)`: readable, keyed by nothing (the adapter's HMAC is tested on its own). */
export const fakeCodeHasher: OneTimeCodeHasher = { hash: (id, digits) => `otp(${id}:${digits})` };

/** The domain's `sendVerdict` over sends kept in memory (what the Redis script does). */
export class FakeSmsSendLimiter implements SmsSendLimiter {
  readonly sends: { accountId: string; phone: string; ip: string; at: number }[] = [];
  constructor(readonly limits: SmsSendLimits = DEFAULT_SMS_SEND_LIMITS) {}
  async reserve(keys: { accountId: string; phone: string; ip: string }, now: Date) {
    const at = (pick: (s: (typeof this.sends)[number]) => boolean) =>
      this.sends.filter(pick).map((s) => s.at);
    const verdict = sendVerdict(
      {
        phone: at((s) => s.phone === keys.phone),
        account: at((s) => s.accountId === keys.accountId),
        ip: keys.ip ? at((s) => s.ip === keys.ip) : null,
      },
      this.limits,
      now.getTime(),
    );
    if (!verdict.allowed) throw sendRefused(verdict);
    this.sends.push({ ...keys, at: now.getTime() });
    return { resendAfter: new Date(now.getTime() + verdict.resendAfterMs) };
  }
}

/** Keeps what it was asked to send (the phone's inbox); `failNext` makes the next send fail. */
export class FakeOneTimeCodeSender implements OneTimeCodeSender {
  readonly sent: OneTimeCodeMessage[] = [];
  configured = true;
  private failing = false;
  failNext(): void {
    this.failing = true;
  }
  async send(_ctx: RequestContext, m: OneTimeCodeMessage) {
    if (this.failing) {
      this.failing = false;
      throw new UserError('UNAVAILABLE', 'SMS_UNAVAILABLE', 'the SMS provider is down (fake)');
    }
    this.sent.push(m);
  }
  /** The latest code sent to `phone`. */
  lastCode(phone: string): string {
    const m = [...this.sent].reverse().find((s) => s.phone === phone);
    if (!m) throw new Error(`no code was sent to ${phone}`);
    return m.code;
  }
}

/** Places by address as a test sets them; private addresses are "local network". */
export class FakePlaceLookup implements PlaceLookup {
  readonly places = new Map<string, string>([['203.0.113.9', '浙江省杭州市']]);
  placeOf(ip: string) {
    if (/^(10\.|192\.168\.|127\.)/.test(ip)) return 'local network';
    return this.places.get(ip) ?? '';
  }
}
