import { Redis } from 'ioredis';
import { userV1 } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import { eventually, testEnv, testLogger, uniqueSuffix } from '@emporia/testing';
import { startGateway } from '../src/gateway.app';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor, type Sign } from './support/token-signer';

jest.setTimeout(60_000);

const TTL_MS = 600_000;

/**
 * The gateway's in-memory copy of the revocation list on real Redis (apps/gateway/README.md,
 * "The revocation list in memory"): a revocation announced on the channel is refused at once by
 * a gateway whose copy is live (even with nothing in Redis: the answer is the copy's); while the
 * subscription is cut, requests read Redis and still refuse; a revocation written while the
 * gateway was disconnected is in the copy once it has reconnected and reloaded (through the
 * list's index); an entry whose announcement never came is seen within TOKEN_REVOCATION_RESCAN_MS. Marketing is not running: an
 * accepted token gets 503 from `GET /v1/me/coupons`, a revoked one 401 TOKEN_REVOKED.
 */
describe('token revocations: the copy in memory (real Redis)', () => {
  const prefix = `gw-rev-${uniqueSuffix()}:`;
  const channel = userV1.tokenRevocationChannel(prefix);
  let sign: Sign;
  let gateway: RunningService;
  let redis: Redis;
  let n = 0;

  beforeAll(async () => {
    const keys = await signer();
    sign = keys.sign;
    const verifier = verifierFor(keys.jwks);
    redis = new Redis(testEnv.redisUrl());
    const config = await testGatewayConfig('rev', {
      TOKEN_REVOCATION_KEY_PREFIX: prefix,
      TOKEN_REVOCATION_RESCAN_MS: '500',
    });
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
  });

  afterAll(async () => {
    await gateway?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  /** A new account's token with a session, issued a second ago. */
  const token = async () => {
    const sub = `0190a000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
    const iatMs = Date.now() - 1000;
    return {
      sub,
      sid: `s${n}`,
      iatMs,
      bearer: await sign(['customer'], { sub, sid: `s${n}`, iat: iatMs / 1000 }),
    };
  };
  const status = async (bearer: string) => {
    const res = await fetch(`${gateway.httpUrl}/v1/me/coupons`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    const body = (await res.json()) as { code?: string };
    return `${res.status} ${body.code ?? ''}`;
  };
  const REVOKED = '401 TOKEN_REVOKED';
  const ACCEPTED = '503 BACKEND_UNAVAILABLE';
  /** An announcement alone, nothing written: only a live copy can refuse for it. */
  const announce = (key: string, beforeMs: number) =>
    redis.publish(channel, userV1.revocationMessage(key, beforeMs, Date.now() + TTL_MS));
  /** What the user service does: the key in the index, then the entry and its announcement. */
  const revoke = async (key: string, beforeMs: number, { announced = true } = {}) => {
    const expireAt = Date.now() + TTL_MS;
    await redis.zadd(userV1.tokenRevocationIndexKey(prefix), expireAt, key);
    const m = redis.multi().set(key, String(beforeMs), 'PX', TTL_MS);
    if (announced) m.publish(channel, userV1.revocationMessage(key, beforeMs, expireAt));
    await m.exec();
  };
  /** Waits until the copy is live: an announced-only revocation is refused. */
  const copyLive = async () => {
    const probe = await token();
    await eventually(
      async () => {
        await announce(userV1.revokedBeforeKey(prefix, probe.sub), Date.now());
        return (await status(probe.bearer)) === REVOKED || undefined;
      },
      { what: 'the copy to be live', timeoutMs: 10_000 },
    );
  };
  const killSubscriber = async () => {
    const list = await redis.client('LIST');
    const name = `gateway-revocations:${prefix}`.replace(/[^\w:.-]/g, '_');
    const ids = String(list)
      .split('\n')
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => /^id=(\d+)/.exec(line)?.[1]);
    expect(ids.length).toBe(1);
    await redis.client('KILL', 'ID', ids[0]!);
  };

  it('refuses a revocation at once when the copy is live, from the copy alone', async () => {
    await copyLive();
    const a = await token();
    expect(await status(a.bearer)).toBe(ACCEPTED);
    // announced only (no entry in Redis): the refusal can only come from the copy
    await announce(userV1.revokedSessionKey(prefix, a.sub, a.sid), Date.now());
    expect(await status(a.bearer)).toBe(REVOKED);
    // a token issued after the instant is fine
    const b = await token();
    await revoke(userV1.revokedBeforeKey(prefix, b.sub), b.iatMs - 1);
    expect(await status(b.bearer)).toBe(ACCEPTED);
    await revoke(userV1.revokedBeforeKey(prefix, b.sub), Date.now());
    expect(await status(b.bearer)).toBe(REVOKED);
  });

  it('still refuses while the subscription is cut, and holds what was written meanwhile once reloaded', async () => {
    await copyLive();
    const a = await token();
    expect(await status(a.bearer)).toBe(ACCEPTED);
    await killSubscriber();
    // written while the subscriber is away: its announcement reaches nobody
    const key = userV1.revokedBeforeKey(prefix, a.sub);
    await revoke(key, Date.now());
    expect(await status(a.bearer)).toBe(REVOKED);
    await copyLive();
    // the entry gone from Redis: the copy (loaded by the reconnection, through the index) still refuses
    await redis.del(key);
    expect(await status(a.bearer)).toBe(REVOKED);
  });

  it('finds an entry whose announcement never came within TOKEN_REVOCATION_RESCAN_MS (the index re-read)', async () => {
    await copyLive();
    const a = await token();
    const key = userV1.revokedSessionKey(prefix, a.sub, a.sid);
    await revoke(key, Date.now(), { announced: false });
    const t0 = Date.now();
    await eventually(async () => (await status(a.bearer)) === REVOKED || undefined, {
      what: 'the re-read to find the entry',
      timeoutMs: 5_000,
    });
    expect(Date.now() - t0).toBeLessThan(500 + 2500);
    // and from the copy: the entry removed from Redis is still refused
    await redis.del(key);
    expect(await status(a.bearer)).toBe(REVOKED);
  });
});
