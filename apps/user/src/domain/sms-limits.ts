import { UserError } from './user-error';

/** How many codes may be sent in a sliding window. */
export interface SendLimit {
  max: number;
  windowMs: number;
}

/**
 * SMS send limits (config `SMS_*`): a resend cooldown per number, and sliding-window caps per
 * number, per account and per client address. They keep codes from being pumped to a number
 * (toll fraud, harassment) and make guessing through fresh codes pointless.
 */
export interface SmsSendLimits {
  cooldownMs: number;
  perPhone: SendLimit;
  perAccount: SendLimit;
  perIp: SendLimit;
}

export const DEFAULT_SMS_SEND_LIMITS: SmsSendLimits = {
  cooldownMs: 60_000,
  perPhone: { max: 5, windowMs: 3_600_000 },
  perAccount: { max: 10, windowMs: 3_600_000 },
  perIp: { max: 20, windowMs: 3_600_000 },
};

export type LimitScope = 'PHONE' | 'ACCOUNT' | 'IP';

/** Earlier sends (epoch ms), per key; an absent address is not limited by address. */
export interface SendHistory {
  phone: number[];
  account: number[];
  ip: number[] | null;
}

export type SendVerdict =
  | { allowed: true; resendAfterMs: number }
  | {
      allowed: false;
      code: 'SMS_CODE_COOLDOWN' | 'SMS_SEND_LIMITED';
      scope: LimitScope;
      retryAfterMs: number;
    };

/** How long until a window of `limit` has room again, 0 when it has room now. */
function waitFor(sends: number[], limit: SendLimit, now: number): number {
  const inWindow = sends.filter((t) => t > now - limit.windowMs).sort((a, b) => a - b);
  if (inWindow.length < limit.max) return 0;
  // the send that must leave the window for one more to fit
  return inWindow[inWindow.length - limit.max] + limit.windowMs - now;
}

/**
 * Whether one more code may be sent now: the cooldown after the number's last send first, then
 * the caps (the longest wait wins, so the answer says when a send will really succeed). The
 * Redis adapter runs the same rule atomically in a script; the in-memory fake runs this.
 */
export function sendVerdict(history: SendHistory, limits: SmsSendLimits, now: number): SendVerdict {
  const last = Math.max(-Infinity, ...history.phone);
  const cooldown = last + limits.cooldownMs - now;
  if (cooldown > 0)
    return { allowed: false, code: 'SMS_CODE_COOLDOWN', scope: 'PHONE', retryAfterMs: cooldown };
  const waits: [LimitScope, number][] = [
    ['PHONE', waitFor(history.phone, limits.perPhone, now)],
    ['ACCOUNT', waitFor(history.account, limits.perAccount, now)],
    ['IP', history.ip ? waitFor(history.ip, limits.perIp, now) : 0],
  ];
  const [scope, retryAfterMs] = waits.reduce((a, b) => (b[1] > a[1] ? b : a));
  if (retryAfterMs > 0) return { allowed: false, code: 'SMS_SEND_LIMITED', scope, retryAfterMs };
  return { allowed: true, resendAfterMs: limits.cooldownMs };
}

/** RESOURCE_EXHAUSTED with the wait in the message and in `details.retryAfterSeconds`. */
export function sendRefused(verdict: Extract<SendVerdict, { allowed: false }>): UserError {
  const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  const message =
    verdict.code === 'SMS_CODE_COOLDOWN'
      ? `a code was just sent to this number; request another in ${seconds} s`
      : `too many codes sent (${verdict.scope.toLowerCase()} limit); try again in ${seconds} s`;
  return new UserError('RESOURCE_EXHAUSTED', verdict.code, message, {
    retryAfterSeconds: seconds,
    scope: verdict.scope,
  });
}
