import type { RequestContext } from '@emporia/platform';
import type { SmsCode, SmsCodePurpose } from '../domain/sms-code';

/** A device the account signed in from (known_logins), with what its sessions say of it. */
export interface KnownDevice {
  deviceId: string;
  /** From the User-Agent of its latest session; empty when none was sent. */
  name: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** The place of its latest session. */
  lastPlace: string;
  activeSessions: number;
}

/** The account's security settings and devices (issue 23). */
export interface AccountSecurityRepository {
  /** When SMS codes became a second factor of the account; null: they are not one. */
  smsMfaEnabledAt(accountId: string): Promise<Date | null>;
  setSmsMfa(accountId: string, enabledAt: Date | null): Promise<void>;
  setPasswordHash(accountId: string, passwordHash: string): Promise<void>;
  /** Throws ALREADY_EXISTS EMAIL_TAKEN when another account has it. */
  setEmail(accountId: string, email: string): Promise<void>;
  /** Throws ALREADY_EXISTS PHONE_TAKEN when another account has it. */
  setPhone(accountId: string, phone: string): Promise<void>;
  /** Devices (known_logins DEVICE rows) with their live sessions, most recently seen first. */
  devices(accountId: string, now: Date): Promise<KnownDevice[]>;
  /** Deletes the device's known_logins row; false when the account had no such device. */
  forgetDevice(accountId: string, deviceId: string): Promise<boolean>;
}

/** SMS one-time codes, hashed (Postgres: checked and used in the transaction of the change). */
export interface SmsCodeRepository {
  insert(code: SmsCode): Promise<void>;
  /** The latest code of the subject and purpose, row-locked, or null. */
  latestForUpdate(
    accountId: string,
    purpose: SmsCodePurpose,
    subject: string,
  ): Promise<SmsCode | null>;
  /** Saves attempts and use. */
  save(code: SmsCode): Promise<void>;
  delete(id: string): Promise<void>;
  /** Deletes up to `limit` codes that expired before `before`; returns how many. */
  deleteExpired(before: Date, limit: number): Promise<number>;
}

/** Keyed hash of one-time codes (HMAC-SHA-256 under a server key). */
export interface OneTimeCodeHasher {
  hash(codeId: string, digits: string): string;
}

/**
 * SMS send limits (Redis): the cooldown per number and the caps per number, account and address,
 * checked and counted in one step. Throws RESOURCE_EXHAUSTED SMS_CODE_COOLDOWN or
 * SMS_SEND_LIMITED (`details.retryAfterSeconds`); otherwise the send is counted.
 */
export interface SmsSendLimiter {
  reserve(
    keys: { accountId: string; phone: string; ip: string },
    now: Date,
  ): Promise<{ resendAfter: Date }>;
}

export interface OneTimeCodeMessage {
  /** Empty when the number is not the account's yet (a phone change). */
  accountId: string;
  phone: string;
  code: string;
  purpose: SmsCodePurpose;
  /** zh-CN or en; empty: notification picks. */
  locale: string;
  validMinutes: number;
}

/**
 * Sends a code through notification's SendOneTimeCode (bounded deadline). `configured` is false
 * when no notification service is set: codes cannot be sent and SendSmsCode says so. `send`
 * throws UNAVAILABLE SMS_UNAVAILABLE when the message did not go out.
 */
export interface OneTimeCodeSender {
  readonly configured: boolean;
  send(ctx: RequestContext, message: OneTimeCodeMessage): Promise<void>;
}

/** Where a client address is, for people: "浙江省杭州市", "local network", or '' when unknown. */
export interface PlaceLookup {
  placeOf(ip: string): string;
}

export const ONE_TIME_CODE_HASHER = Symbol('ONE_TIME_CODE_HASHER');
export const SMS_SEND_LIMITER = Symbol('SMS_SEND_LIMITER');
export const ONE_TIME_CODE_SENDER = Symbol('ONE_TIME_CODE_SENDER');
export const PLACE_LOOKUP = Symbol('PLACE_LOOKUP');
