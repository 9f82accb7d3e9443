import { createServer, type AddressInfo, type Socket } from 'node:net';
import { status } from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { PROTO_FILES, userV1 } from '@emporia/contracts';
import { createDataSource } from '@emporia/persistence';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { userConfigSchema } from '../src/config';
import { USER_MIGRATIONS } from '../src/infrastructure/migrations';
import { RevocationRelay, SqlRevocationRepository } from '../src/infrastructure/token-revocations';
import { migrateUser, startUser } from '../src/user.app';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';
const ADDRESS = {
  recipient: 'Erin',
  phone: '+8613900000000',
  country: 'CN',
  province: '上海市',
  city: '上海市',
  district: '静安区',
  line1: '南京西路 1 号',
};

/**
 * Issue 13 items 4 and 9 on real Postgres and Redis: an erased account is gone for every
 * operation (the use cases say so, not a constraint), and what ends an account's sessions or
 * privileges writes the gateway's access-token revocation list — through Postgres first, so a
 * Redis outage delays a revocation but never loses it.
 */
describe('user service: erased accounts and token revocation (real Postgres + Redis)', () => {
  const suffix = uniqueSuffix();
  const prefix = `rev:${suffix}:`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  let redis: Redis;

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;
  const email = (name: string) => `${name}.${suffix}@example.cn`;
  const register = async (name: string) =>
    (await call<userV1.RegisterResponse>('register', { email: email(name), password: PASSWORD }))
      .account!;
  const login = async (name: string) =>
    (
      await call<userV1.LoginResponse>('login', {
        identifier: email(name),
        password: PASSWORD,
        ip: '10.9.0.1',
      })
    ).tokens!;
  /** `eventually` for probes that answer null or false until the condition holds. */
  const until = <T>(probe: () => Promise<T | null | false>, what: string) =>
    eventually(async () => (await probe()) || undefined, { what, timeoutMs: 10_000 });
  const revokedBefore = (accountId: string) =>
    redis.get(userV1.revokedBeforeKey(prefix, accountId)).then((v) => (v ? Number(v) : null));

  beforeAll(async () => {
    db = await createTestDatabase('user_rev_it');
    const config = userConfigSchema.parse({
      USER_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `revit:${suffix}:`,
      TOKEN_REVOCATION_KEY_PREFIX: prefix,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `revit${suffix}.`,
      USER_GRPC_PORT: String(await freePort()),
      USER_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      USER_MIGRATE_ON_START: 'true',
      MFA_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    });
    service = await startUser(config, testLogger('user'));
    client = grpcTestClient(PROTO_FILES.user, 'emporia.user.v1.UserService', service.grpcUrl!);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = new Redis(testEnv.redisUrl());
  });

  afterAll(async () => {
    client?.close();
    redis?.disconnect();
    await pg?.end();
    await service?.close();
    await db?.drop();
  });

  describe('an erased account', () => {
    let accountId: string;
    let tokens: userV1.TokenPair;
    let addressId: string;

    beforeAll(async () => {
      accountId = (await register('gone')).id;
      addressId = (
        await call<userV1.CreateAddressResponse>('createAddress', { accountId, address: ADDRESS })
      ).address!.id;
      tokens = await login('gone');
      await call('beginMfaEnrolment', { accountId });
      await call('deleteAccount', { accountId, password: PASSWORD });
    });

    it.each<[string, () => Record<string, unknown>]>([
      ['freezeAccount', () => ({ accountId, reason: 'fraud' })],
      ['unfreezeAccount', () => ({ accountId })],
      ['setAccountRoles', () => ({ accountId, roles: ['customer', 'operator'] })],
      ['getAccount', () => ({ accountId })],
      ['getMembership', () => ({ accountId })],
      ['redeemPoints', () => ({ accountId, points: 1, ref: 'order-1' })],
      ['refundPointsRedemption', () => ({ accountId, ref: 'order-1' })],
      ['updateProfile', () => ({ accountId, profile: { displayName: 'Back' } })],
      ['setConsents', () => ({ accountId, consents: [{ purpose: 'ANALYTICS', granted: true }] })],
      ['listAddresses', () => ({ accountId })],
      ['createAddress', () => ({ accountId, address: ADDRESS })],
      ['updateAddress', () => ({ accountId, address: { ...ADDRESS, id: addressId } })],
      ['deleteAddress', () => ({ accountId, addressId })],
      ['beginMfaEnrolment', () => ({ accountId })],
      ['confirmMfaEnrolment', () => ({ accountId, code: '123456' })],
      ['disableMfa', () => ({ accountId, password: PASSWORD, code: '123456' })],
      ['exportAccountData', () => ({ accountId })],
      ['deleteAccount', () => ({ accountId, password: PASSWORD })],
      ['deleteAccount', () => ({ accountId, byOperator: true })],
    ])('%s answers NOT_FOUND ACCOUNT_NOT_FOUND and changes nothing', async (method, req) => {
      expect(await failure(call(method, req()))).toMatchObject({
        status: status.NOT_FOUND,
        code: 'ACCOUNT_NOT_FOUND',
      });
      const [row] = (
        await pg.query(`SELECT status, roles, email, frozen_reason FROM accounts WHERE id = $1`, [
          accountId,
        ])
      ).rows;
      expect(row).toEqual({
        status: 'DELETED',
        roles: ['customer'],
        email: null,
        frozen_reason: null,
      });
      for (const table of ['addresses', 'profiles', 'consents', 'mfa_credentials'])
        expect(
          Number(
            (await pg.query(`SELECT count(*) FROM ${table} WHERE account_id = $1`, [accountId]))
              .rows[0].count,
          ),
        ).toBe(0);
    });

    it('cannot sign in or refresh: the identifier is gone and the sessions ended', async () => {
      expect(
        await failure(
          call('login', { identifier: email('gone'), password: PASSWORD, ip: '10.9.0.1' }),
        ),
      ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'INVALID_CREDENTIALS' });
      expect(await failure(call('refresh', { refreshToken: tokens.refreshToken }))).toMatchObject({
        status: status.UNAUTHENTICATED,
        code: 'REFRESH_TOKEN_REVOKED',
      });
    });
  });

  it('an operator cannot erase their own account on the admin path; another account, yes', async () => {
    const admin = (await register('boss')).id;
    const other = (await register('staff')).id;
    expect(
      await failure(
        call('deleteAccount', { accountId: admin, byOperator: true, operatorId: admin }),
      ),
    ).toMatchObject({ status: status.PERMISSION_DENIED, code: 'CANNOT_ERASE_OWN_ACCOUNT' });
    expect((await pg.query(`SELECT status FROM accounts WHERE id = $1`, [admin])).rows[0]).toEqual({
      status: 'ACTIVE',
    });
    await call('deleteAccount', { accountId: other, byOperator: true, operatorId: admin });
    expect((await pg.query(`SELECT status FROM accounts WHERE id = $1`, [other])).rows[0]).toEqual({
      status: 'DELETED',
    });
    // their own erasure with the password still works
    await call('deleteAccount', { accountId: admin, password: PASSWORD });
  });

  describe('access-token revocation', () => {
    it('signs tokens naming their session, issued to the millisecond', async () => {
      await register('claims');
      const before = Date.now();
      const t = await login('claims');
      const claims = decodeJwt(t.accessToken);
      expect(claims.sid).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
      expect(claims.iat! * 1000).toBeGreaterThanOrEqual(before);
      expect(claims.iat! * 1000).toBeLessThanOrEqual(Date.now());
      expect(claims.exp).toBe(Math.floor(claims.iat!) + 900);
      // a refresh keeps the session
      const refreshed = await call<userV1.RefreshResponse>('refresh', {
        refreshToken: t.refreshToken,
      });
      expect(decodeJwt(refreshed.tokens!.accessToken).sid).toBe(claims.sid);
    });

    it('a freeze, an erasure and a lost role revoke the tokens issued until then; unfreezing and a new role do not', async () => {
      const frozen = (await register('frozen')).id;
      const t0 = Date.now();
      await call('freezeAccount', { accountId: frozen, reason: 'chargebacks' });
      const mark = await until(() => revokedBefore(frozen), 'the freeze revocation');
      expect(mark).toBeGreaterThanOrEqual(t0);
      expect(mark).toBeLessThanOrEqual(Date.now());
      const ttl = await redis.pttl(userV1.revokedBeforeKey(prefix, frozen));
      expect(ttl).toBeGreaterThan(900_000);
      expect(ttl).toBeLessThanOrEqual(960_000);
      await call('unfreezeAccount', { accountId: frozen });
      // a fresh login after unfreezing is issued after the mark
      const fresh = decodeJwt((await login('frozen')).accessToken);
      expect(fresh.iat! * 1000).toBeGreaterThan(mark!);
      expect(await revokedBefore(frozen)).toBe(mark);

      const promoted = (await register('promoted')).id;
      await call('setAccountRoles', { accountId: promoted, roles: ['customer', 'operator'] });
      const demotedAt = Date.now();
      await call('setAccountRoles', { accountId: promoted, roles: ['customer'] });
      expect(
        await until(() => revokedBefore(promoted), 'the demotion revocation'),
      ).toBeGreaterThanOrEqual(demotedAt);
      // only the demotion wrote one (a new role leaves old tokens with fewer rights)
      const onlyAdded = (await register('added')).id;
      await call('setAccountRoles', { accountId: onlyAdded, roles: ['customer', 'admin'] });

      const erased = (await register('erased')).id;
      await call('deleteAccount', { accountId: erased, password: PASSWORD });
      await until(() => revokedBefore(erased), 'the erasure revocation');

      await until(
        async () =>
          Number((await pg.query(`SELECT count(*) FROM token_revocations`)).rows[0].count) === 0,
        'every revocation pushed',
      );
      expect(await revokedBefore(onlyAdded)).toBeNull();
    });

    it('logout and a reused refresh token revoke the tokens of that session only', async () => {
      const id = (await register('twodevices')).id;
      const phone = await login('twodevices');
      const laptop = await login('twodevices');
      const phoneSid = decodeJwt(phone.accessToken).sid as string;
      const laptopSid = decodeJwt(laptop.accessToken).sid as string;
      await call('logout', { refreshToken: phone.refreshToken });
      expect(
        Number(
          await until(
            () => redis.get(userV1.revokedSessionKey(prefix, id, phoneSid)),
            'the logout revocation',
          ),
        ),
      ).toBeGreaterThan(0);
      expect(await redis.get(userV1.revokedSessionKey(prefix, id, laptopSid))).toBeNull();
      expect(await revokedBefore(id)).toBeNull();

      await call('refresh', { refreshToken: laptop.refreshToken });
      await failure(call('refresh', { refreshToken: laptop.refreshToken })); // reuse
      await until(
        () => redis.get(userV1.revokedSessionKey(prefix, id, laptopSid)),
        'the reuse revocation',
      );
    });
  });

  it('keeps revocations in Postgres while Redis is down and pushes them when it answers; an older one never moves an entry back', async () => {
    // a database of its own, so the service's relay does not take these rows
    const own = await createTestDatabase('user_rev_relay');
    const logger = testLogger('relay');
    await migrateUser({ USER_DATABASE_URL: own.url, DB_POOL_SIZE: 2 }, logger);
    const ds = await createDataSource({
      url: own.url,
      entities: [],
      migrations: USER_MIGRATIONS,
      poolSize: 2,
    }).initialize();
    const sockets = new Set<Socket>();
    const silent = createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const down = new Redis(`redis://127.0.0.1:${(silent.address() as AddressInfo).port}`, {
      maxRetriesPerRequest: 1,
    });
    const relayPrefix = `relay:${suffix}:`;
    const accountId = '0190a000-0000-7000-8000-00000000abcd';
    try {
      const now = Date.now();
      await ds.transaction(async (m) => {
        const repo = new SqlRevocationRepository(m);
        await repo.add({ accountId, before: new Date(now) });
        await repo.add({ accountId, before: new Date(now - 5000) }); // older, pushed later
        // older than a token's lifetime: nothing left to refuse, dropped unpushed
        await repo.add({
          accountId: '0190a000-0000-7000-8000-00000000dead',
          before: new Date(now - 20 * 60_000),
        });
      });
      const settings = { keyPrefix: relayPrefix, entryTtlMs: 960_000, logger, redisTimeoutMs: 300 };
      await expect(new RevocationRelay(ds, down, settings).drain()).rejects.toThrow();
      expect(Number((await ds.query(`SELECT count(*) FROM token_revocations`))[0].count)).toBe(2);

      // every entry moved forward is announced to the gateways' copies, and only those
      const announcements: string[] = [];
      const listener = new Redis(testEnv.redisUrl());
      listener.on('message', (_c: string, m: string) => announcements.push(m));
      await listener.subscribe(userV1.tokenRevocationChannel(relayPrefix));
      try {
        expect(await new RevocationRelay(ds, redis, settings).drain()).toBe(2);
        await eventually(async () => announcements.length > 0 || undefined, {
          what: 'the announcement',
          timeoutMs: 5_000,
        });
        await redis.ping(); // anything else announced would have arrived before this answer
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        listener.disconnect();
      }
      const key = userV1.revokedBeforeKey(relayPrefix, accountId);
      expect(announcements.map(userV1.parseRevocationMessage)).toEqual([
        { key, beforeMs: now, expireAtMs: now + 960_000 },
      ]);
      expect(await redis.get(key)).toBe(String(now));
      // indexed (gateways load their copy through the index), scored by the later expiry
      const index = userV1.tokenRevocationIndexKey(relayPrefix);
      expect(await redis.zrange(index, '0', '-1', 'WITHSCORES')).toEqual([
        key,
        String(now + 960_000),
      ]);
      await redis.del(index);
      expect(
        await redis.exists(
          userV1.revokedBeforeKey(relayPrefix, '0190a000-0000-7000-8000-00000000dead'),
        ),
      ).toBe(0);
      expect(Number((await ds.query(`SELECT count(*) FROM token_revocations`))[0].count)).toBe(0);
      await redis.del(userV1.revokedBeforeKey(relayPrefix, accountId));
    } finally {
      down.disconnect();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
      await ds.destroy();
      await own.drop();
    }
  });
});
