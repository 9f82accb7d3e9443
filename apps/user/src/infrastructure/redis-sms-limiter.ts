import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SmsSendLimiter } from '../application/security.ports';
import { sendRefused, type LimitScope, type SmsSendLimits } from '../domain/sms-limits';

/**
 * `sendVerdict` (domain/sms-limits.ts) as one atomic script over sliding-window logs (a sorted
 * set of send instants per number, account and address): concurrent sends cannot slip past a
 * limit between a read and a write. KEYS: phone, account, ip log. ARGV: now (ms), cooldown (ms),
 * phone max, phone window, account max, account window, ip max, ip window, whether the address
 * counts ('1'), the member to add. Returns {0} when the send was counted, else {1 (cooldown) or
 * 2 (limit), scope, wait in ms}.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local function wait(key, max, window)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local n = redis.call('ZCARD', key)
  if n < max then return 0 end
  local at = redis.call('ZRANGE', key, n - max, n - max, 'WITHSCORES')
  return tonumber(at[2]) + window - now
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then
  local left = tonumber(last[2]) + tonumber(ARGV[2]) - now
  if left > 0 then return {1, 'PHONE', math.ceil(left)} end
end
local limits = {
  {'PHONE', KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4])},
  {'ACCOUNT', KEYS[2], tonumber(ARGV[5]), tonumber(ARGV[6])},
}
if ARGV[9] == '1' then table.insert(limits, {'IP', KEYS[3], tonumber(ARGV[7]), tonumber(ARGV[8])}) end
local scope, longest = '', 0
for _, l in ipairs(limits) do
  local w = wait(l[2], l[3], l[4])
  if w > longest then scope, longest = l[1], w end
end
if longest > 0 then return {2, scope, math.ceil(longest)} end
for _, l in ipairs(limits) do
  redis.call('ZADD', l[2], now, ARGV[10])
  redis.call('PEXPIRE', l[2], l[4])
end
return {0}
`;

/** Numbers and addresses are personal data: the keys carry a hash of them, not the value. */
const digest = (v: string) => createHash('sha256').update(v).digest('base64url').slice(0, 22);

/** SMS send limits in Redis (`REDIS_KEY_PREFIX` + `sms:send:`), atomically (one script). */
export class RedisSmsSendLimiter implements SmsSendLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly limits: SmsSendLimits,
    private readonly keyPrefix: string,
  ) {}

  async reserve(
    keys: { accountId: string; phone: string; ip: string },
    now: Date,
  ): Promise<{ resendAfter: Date }> {
    const p = `${this.keyPrefix}sms:send:`;
    const l = this.limits;
    const answer = (await this.redis.eval(
      RESERVE,
      3,
      `${p}phone:${digest(keys.phone)}`,
      `${p}acct:${keys.accountId}`,
      `${p}ip:${digest(keys.ip)}`,
      now.getTime(),
      l.cooldownMs,
      l.perPhone.max,
      l.perPhone.windowMs,
      l.perAccount.max,
      l.perAccount.windowMs,
      l.perIp.max,
      l.perIp.windowMs,
      keys.ip ? '1' : '0',
      `${now.getTime()}:${randomUUID()}`,
    )) as [number, string?, number?];
    const [refused, scope, waitMs] = answer;
    if (refused)
      throw sendRefused({
        allowed: false,
        code: refused === 1 ? 'SMS_CODE_COOLDOWN' : 'SMS_SEND_LIMITED',
        scope: scope as LimitScope,
        retryAfterMs: Number(waitMs),
      });
    return { resendAfter: new Date(now.getTime() + l.cooldownMs) };
  }
}
