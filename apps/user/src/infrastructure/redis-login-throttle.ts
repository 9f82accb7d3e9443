import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LoginThrottle, ThrottleVerdict } from '../application/ports';
import { UserError } from '../domain/user-error';

export interface ThrottleSettings {
  /** Failures per account within the window before the account locks. */
  maxAccountFailures: number;
  /** Failures per IP within the window before the IP is throttled. */
  maxIpFailures: number;
  windowSeconds: number;
  lockSeconds: number;
  keyPrefix: string;
}

/**
 * Counts a failure for the account and the IP and locks the account at the limit, atomically:
 * concurrent wrong passwords cannot slip past the limit between a read and a write.
 * KEYS: account failures, account lock, ip failures. ARGV: window, lock seconds, max account failures.
 * Returns {account failures, lock ttl seconds (0 when not locked)}.
 */
const RECORD_FAILURE = `
local acct = redis.call('INCR', KEYS[1])
if acct == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ip = redis.call('INCR', KEYS[3])
if ip == 1 then redis.call('EXPIRE', KEYS[3], ARGV[1]) end
if acct >= tonumber(ARGV[3]) then
  redis.call('SET', KEYS[2], acct, 'EX', ARGV[2])
  redis.call('DEL', KEYS[1])
  return {acct, tonumber(ARGV[2])}
end
return {acct, 0}
`;

/**
 * What `check` needs in one round trip. KEYS: account lock, ip failures, account failures.
 * ARGV: max ip failures. Returns {lock ttl (seconds; <= 0 when not locked), ip failures, ip
 * failures' ttl (-2 unless at the limit), account failures}.
 */
const CHECK = `
local lock = redis.call('TTL', KEYS[1])
local ip = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local ipTtl = -2
if ip >= tonumber(ARGV[1]) then ipTtl = redis.call('TTL', KEYS[2]) end
local acct = tonumber(redis.call('GET', KEYS[3]) or '0') or 0
return {lock, ip, ipTtl, acct}
`;
type CheckAnswer = [number, number, number, number];
const CHECK_SHA = createHash('sha1').update(CHECK).digest('hex');

export class RedisLoginThrottle implements LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly s: ThrottleSettings,
  ) {}

  private keys(accountKey: string, ip: string) {
    const p = this.s.keyPrefix;
    return {
      failures: `${p}login:fail:acct:${accountKey}`,
      lock: `${p}login:lock:acct:${accountKey}`,
      ip: `${p}login:fail:ip:${ip}`,
    };
  }

  async check(accountKey: string, ip: string): Promise<{ accountFailures: number }> {
    const k = this.keys(accountKey, ip);
    const [lockTtl, ipFailures, ipTtl, accountFailures] = await this.checkScript(k);
    if (lockTtl > 0) {
      throw new UserError(
        'RESOURCE_EXHAUSTED',
        'LOGIN_LOCKED',
        `too many failed logins: try again in ${lockTtl} s`,
        { retryAfterSeconds: lockTtl },
      );
    }
    if (ipFailures >= this.s.maxIpFailures) {
      throw new UserError(
        'RESOURCE_EXHAUSTED',
        'LOGIN_THROTTLED',
        `too many failed logins from this address: try again in ${Math.max(ipTtl, 1)} s`,
        {
          retryAfterSeconds: Math.max(ipTtl, 1),
        },
      );
    }
    return { accountFailures };
  }

  /** The CHECK script by its SHA-1 (loaded once per Redis server, on the first NOSCRIPT). */
  private async checkScript(k: ReturnType<RedisLoginThrottle['keys']>): Promise<CheckAnswer> {
    const args = [3, k.lock, k.ip, k.failures, this.s.maxIpFailures] as const;
    try {
      return (await this.redis.evalsha(CHECK_SHA, ...args)) as CheckAnswer;
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return (await this.redis.eval(CHECK, ...args)) as CheckAnswer;
    }
  }

  async recordFailure(accountKey: string, ip: string): Promise<ThrottleVerdict> {
    const k = this.keys(accountKey, ip);
    const [failures, lockSeconds] = (await this.redis.eval(
      RECORD_FAILURE,
      3,
      k.failures,
      k.lock,
      k.ip,
      this.s.windowSeconds,
      this.s.lockSeconds,
      this.s.maxAccountFailures,
    )) as [number, number];
    return lockSeconds > 0
      ? { failures, lockedUntil: new Date(Date.now() + lockSeconds * 1000) }
      : { failures };
  }

  async recordSuccess(accountKey: string): Promise<void> {
    await this.redis.del(this.keys(accountKey, '').failures);
  }
}
