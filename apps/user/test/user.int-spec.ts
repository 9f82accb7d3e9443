import { status } from '@grpc/grpc-js';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Client } from 'pg';
import { PROTO_FILES, userV1 } from '@emporia/contracts';
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
import { newFamily } from '../src/domain/refresh-token-family';
import { SqlLoginRepository } from '../src/infrastructure/typeorm-user.repositories';
import { startUser } from '../src/user.app';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';

describe('user service (real Postgres + Redis)', () => {
  const suffix = uniqueSuffix();
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;
  const email = (name: string) => `${name}.${suffix}@example.cn`;
  const register = (name: string) =>
    call<userV1.RegisterResponse>('register', { email: email(name), password: PASSWORD });
  const login = (name: string, password = PASSWORD, ip = '10.0.0.1') =>
    call<userV1.LoginResponse>('login', { identifier: email(name), password, ip });
  const jwks = async () =>
    createLocalJWKSet(JSON.parse((await call<userV1.GetJwksResponse>('getJwks', {})).jwksJson));
  const outboxTypes = async (key: string) =>
    (
      (await pg.query(`SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY seq`, [key]))
        .rows as { event_type: string }[]
    ).map((r) => r.event_type);

  beforeAll(async () => {
    db = await createTestDatabase('user_it');
    const config = userConfigSchema.parse({
      USER_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `it:${suffix}:`,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `it${suffix}.`,
      USER_GRPC_PORT: String(await freePort()),
      USER_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      USER_MIGRATE_ON_START: 'true',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_LOCK_SECONDS: '2',
      LOGIN_IP_MAX_FAILURES: '8',
    });
    service = await startUser(config, testLogger('user'));
    client = grpcTestClient(PROTO_FILES.user, 'emporia.user.v1.UserService', service.grpcUrl!);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    client?.close();
    await pg?.end();
    await service?.close();
    await db?.drop();
  });

  it('registers, logs in, and issues an ES256 access token the JWKS verifies', async () => {
    const { account } = await register('alice');
    expect(account).toMatchObject({
      email: email('alice'),
      roles: ['customer'],
      status: 'ACCOUNT_STATUS_ACTIVE',
    });
    const [{ password_hash }] = (
      await pg.query(`SELECT password_hash FROM accounts WHERE id = $1`, [account!.id])
    ).rows;
    expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await outboxTypes(account!.id)).toEqual(['emporia.user.v1.AccountRegistered']);

    const { tokens } = await login('ALICE'.toLowerCase());
    const { payload, protectedHeader } = await jwtVerify(tokens!.accessToken, await jwks(), {
      issuer: 'emporia-user',
      audience: 'emporia-api',
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: expect.any(String), typ: 'at+jwt' });
    expect(payload).toMatchObject({
      sub: account!.id,
      roles: ['customer'],
      sid: expect.any(String),
      jti: expect.any(String),
    });
    expect(payload.exp! - Math.floor(payload.iat!)).toBe(900);
    expect(tokens!.tokenType).toBe('Bearer');
  });

  it('refuses duplicates and bad input, writing nothing', async () => {
    await register('bob');
    const before = Number((await pg.query(`SELECT count(*) FROM accounts`)).rows[0].count);
    expect(
      await failure(call('register', { email: email('BOB'), password: PASSWORD })),
    ).toMatchObject({ status: status.ALREADY_EXISTS, code: 'ACCOUNT_EXISTS' });
    expect(await failure(call('register', { email: 'nope', password: PASSWORD }))).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'EMAIL_INVALID',
    });
    expect(
      await failure(call('register', { email: email('carol'), password: 'short' })),
    ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'PASSWORD_TOO_WEAK' });
    expect(
      await failure(call('register', { email: email('carol'), password: 'password1234' })),
    ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'PASSWORD_TOO_COMMON' });
    expect(await failure(call('register', { password: PASSWORD }))).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'IDENTIFIER_REQUIRED',
    });
    expect(Number((await pg.query(`SELECT count(*) FROM accounts`)).rows[0].count)).toBe(before);
  });

  it('says the same for an unknown account and a wrong password', async () => {
    await register('dave');
    const wrong = await failure(login('dave', 'not the password at all', '10.0.1.1'));
    const unknown = await failure(login('nobody', PASSWORD, '10.0.1.1'));
    expect(wrong).toMatchObject({ status: status.UNAUTHENTICATED, code: 'INVALID_CREDENTIALS' });
    expect(unknown).toEqual(wrong);
  });

  it('rotates refresh tokens and revokes the whole family when a used token comes back', async () => {
    const erin = (await register('erin')).account!;
    const first = (await login('erin')).tokens!;
    const second = (
      await call<userV1.RefreshResponse>('refresh', { refreshToken: first.refreshToken })
    ).tokens!;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await jwtVerify(second.accessToken, await jwks());

    // an attacker replays the first token: the family dies, the legitimate holder's token too
    expect(await failure(call('refresh', { refreshToken: first.refreshToken }))).toMatchObject({
      status: status.UNAUTHENTICATED,
      code: 'REFRESH_TOKEN_REUSED',
    });
    expect(await failure(call('refresh', { refreshToken: second.refreshToken }))).toMatchObject({
      status: status.UNAUTHENTICATED,
      code: 'REFRESH_TOKEN_REVOKED',
    });
    const families = (
      await pg.query(`SELECT revoked_reason FROM refresh_token_families WHERE account_id = $1`, [
        erin.id,
      ])
    ).rows;
    expect(families).toEqual([{ revoked_reason: 'REUSE_DETECTED' }]);
    expect(await outboxTypes(erin.id)).toContain('emporia.user.v1.RefreshTokenReuseDetected');
    expect(await failure(call('refresh', { refreshToken: 'made-up' }))).toMatchObject({
      code: 'REFRESH_TOKEN_UNKNOWN',
    });
  });

  it('ends a session on logout', async () => {
    await register('frank');
    const t = (await login('frank')).tokens!;
    await call('logout', { refreshToken: t.refreshToken });
    await call('logout', { refreshToken: t.refreshToken });
    expect(await failure(call('refresh', { refreshToken: t.refreshToken }))).toMatchObject({
      code: 'REFRESH_TOKEN_REVOKED',
    });
  });

  it('locks an account after repeated failures, even concurrent ones, and unlocks it on time', async () => {
    const { account } = await register('grace');
    const attempts = await Promise.all(
      Array.from({ length: 6 }, () => failure(login('grace', 'wrong password here', '10.0.2.1'))),
    );
    expect(
      attempts.map((a) => a.code).every((c) => c === 'INVALID_CREDENTIALS' || c === 'LOGIN_LOCKED'),
    ).toBe(true);
    // locked now: even the right password is refused, saying for how long (LOGIN_LOCK_SECONDS 2)
    const locked = await failure(login('grace', PASSWORD, '10.0.2.2'));
    expect(locked).toMatchObject({ status: status.RESOURCE_EXHAUSTED, code: 'LOGIN_LOCKED' });
    expect([1, 2]).toContain(locked.details?.retryAfterSeconds);
    expect(await outboxTypes(account!.id)).toContain('emporia.user.v1.AccountLocked');
    const ok = await eventually(() => login('grace', PASSWORD, '10.0.2.2').catch(() => undefined), {
      timeoutMs: 10000,
      intervalMs: 500,
      what: 'the lock to expire',
    });
    expect(ok.account!.id).toBe(account!.id);
  });

  it('throttles an address spraying many accounts, without blocking other addresses', async () => {
    await register('heidi');
    for (let i = 0; i < 8; i++) await failure(login(`spray${i}`, 'whatever password', '10.0.3.3'));
    const throttled = await failure(login('heidi', PASSWORD, '10.0.3.3'));
    expect(throttled).toMatchObject({ status: status.RESOURCE_EXHAUSTED, code: 'LOGIN_THROTTLED' });
    // the address's failure count expires with the window (LOGIN_FAILURE_WINDOW_SECONDS)
    expect(throttled.details?.retryAfterSeconds).toBeGreaterThan(1);
    expect((await login('heidi', PASSWORD, '10.0.3.4')).account).toBeDefined();
  });

  it('rotates the signing key while tokens signed by the old key keep verifying', async () => {
    await register('ivan');
    const before = (await login('ivan')).tokens!.accessToken;
    const { kid } = await call<userV1.RotateSigningKeyResponse>('rotateSigningKey', {});
    const after = (await login('ivan')).tokens!.accessToken;
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    expect(decodeProtectedHeader(before).kid).not.toBe(kid);
    const set = await jwks();
    await jwtVerify(before, set);
    await jwtVerify(after, set);
  });

  it('freezes an account: its sessions end and it cannot log in until unfrozen', async () => {
    const judy = (await register('judy')).account!;
    const session = (await login('judy')).tokens!;
    expect(await failure(call('freezeAccount', { accountId: judy.id, reason: '' }))).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'FREEZE_REASON_REQUIRED',
    });
    const frozen = await call<userV1.FreezeAccountResponse>('freezeAccount', {
      accountId: judy.id,
      reason: 'chargeback fraud review',
    });
    expect(frozen.account!.status).toBe('ACCOUNT_STATUS_FROZEN');
    expect(await failure(login('judy'))).toMatchObject({
      status: status.PERMISSION_DENIED,
      code: 'ACCOUNT_FROZEN',
    });
    expect(await failure(call('refresh', { refreshToken: session.refreshToken }))).toMatchObject({
      code: 'REFRESH_TOKEN_REVOKED',
    });
    // a wrong password on a frozen account reveals nothing about the freeze
    expect(await failure(login('judy', 'not the right one', '10.0.4.1'))).toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await call('unfreezeAccount', { accountId: judy.id });
    expect((await login('judy')).account!.status).toBe('ACCOUNT_STATUS_ACTIVE');
    expect(await outboxTypes(judy.id)).toEqual(
      expect.arrayContaining(['emporia.user.v1.AccountFrozen', 'emporia.user.v1.AccountUnfrozen']),
    );
    expect(
      await failure(
        call('freezeAccount', { accountId: '0190a000-0000-7000-8000-000000000009', reason: 'x' }),
      ),
    ).toMatchObject({ status: status.NOT_FOUND });
  });

  it('reports logins from a new device or address, but not the first login or a known one', async () => {
    const kate = (await register('kate')).account!;
    const as = (device: string, ip: string) =>
      call<userV1.LoginResponse>('login', {
        identifier: email('kate'),
        password: PASSWORD,
        ip,
        deviceId: device,
      });
    await as('phone-1', '10.0.5.1');
    await as('phone-1', '10.0.5.1');
    await as('laptop-9', '10.0.5.1');
    await as('laptop-9', '10.0.5.77');
    const rows = (
      await pg.query(
        `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'emporia.user.v1.LoginAnomaly' ORDER BY seq`,
        [kate.id],
      )
    ).rows;
    const anomalies = rows.map((r: { payload: Buffer }) => userV1.LoginAnomaly.decode(r.payload));
    expect(anomalies.map((a) => [a.kinds, a.deviceId, a.ip])).toEqual([
      [['NEW_DEVICE'], 'laptop-9', '10.0.5.1'],
      [['NEW_IP'], 'laptop-9', '10.0.5.77'],
    ]);
  });

  it('a known client signs in with one statement that writes only for an ACTIVE account without MFA, after a freeze holding the row lock commits', async () => {
    const leo = (await register('leo')).account!;
    const as = () =>
      call<userV1.LoginResponse>('login', {
        identifier: email('leo'),
        password: PASSWORD,
        ip: '10.0.6.1',
        deviceId: 'phone-6',
      });
    await as(); // the first sign-in: the general path, which records the device and address
    const second = (await as()).tokens!; // a known client: the one statement
    const { payload } = await jwtVerify(second.accessToken, await jwks(), {
      issuer: 'emporia-user',
      audience: 'emporia-api',
    });
    const families = async () =>
      (
        await pg.query(
          `SELECT f.id, t.token_hash FROM refresh_token_families f JOIN refresh_tokens t ON t.family_id = f.id WHERE f.account_id = $1 ORDER BY f.created_at`,
          [leo.id],
        )
      ).rows as { id: string; token_hash: string }[];
    expect((await families()).map((f) => f.id)).toContain(payload.sid);
    expect(await families()).toHaveLength(2);
    expect(typeof payload.iat === 'number' && payload.sub === leo.id).toBe(true);
    await call('refresh', { refreshToken: second.refreshToken }); // a stored, working family

    // the adapter's statement on its own: a family whose account is frozen, or has MFA, is not stored
    const repo = new SqlLoginRepository({
      query: async (q: string, p?: unknown[]) => (await pg.query(q, p)).rows,
    });
    const family = (n: number) =>
      newFamily({
        id: `0190a000-0000-7000-8000-00000000000${n}`,
        userId: leo.id,
        tokenId: `bench-hash-${suffix}-${n}`,
        now: new Date(),
        ttlMs: 86_400_000,
      });
    const client = { deviceId: 'phone-6', ip: '10.0.6.1' };
    const stored = async (id: string) =>
      (await pg.query(`SELECT 1 FROM refresh_token_families WHERE id = $1`, [id])).rowCount;

    // a freeze holds the row lock: the statement waits for it, then sees FROZEN and writes nothing
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, [leo.id]);
      const pending = repo.openKnownSession(family(1), client, new Date());
      await new Promise((r) => setTimeout(r, 200));
      await other.query(`UPDATE accounts SET status = 'FROZEN' WHERE id = $1`, [leo.id]);
      await other.query('COMMIT');
      const frozen = await pending;
      expect(frozen).toMatchObject({ opened: false, account: { status: 'FROZEN' } });
      expect(await stored(family(1).id)).toBe(0);
    } finally {
      await other.end();
    }
    await pg.query(`UPDATE accounts SET status = 'ACTIVE' WHERE id = $1`, [leo.id]);
    await pg.query(
      `INSERT INTO mfa_credentials (account_id, status, secret_sealed, created_at) VALUES ($1, 'ACTIVE', 'x', now())`,
      [leo.id],
    );
    expect(await repo.openKnownSession(family(2), client, new Date())).toMatchObject({
      opened: false,
    });
    expect(await stored(family(2).id)).toBe(0);
    await pg.query(`DELETE FROM mfa_credentials WHERE account_id = $1`, [leo.id]);
    const at = new Date(Date.now() + 60_000);
    expect(await repo.openKnownSession(family(3), client, at)).toMatchObject({
      opened: true,
      account: { id: leo.id, status: 'ACTIVE' },
    });
    expect(await stored(family(3).id)).toBe(1);
    const seen = (
      await pg.query(`SELECT kind, last_seen FROM known_logins WHERE account_id = $1`, [leo.id])
    ).rows as { kind: string; last_seen: Date }[];
    expect(seen.map((r) => [r.kind, r.last_seen.getTime()]).sort()).toEqual([
      ['DEVICE', at.getTime()],
      ['IP', at.getTime()],
    ]);
    expect(
      await repo.openKnownSession(
        { ...family(4), userId: '0190a000-0000-7000-8000-0000000000ff' },
        client,
        at,
      ),
    ).toEqual({ account: null, opened: false });
    expect(await outboxTypes(leo.id)).toEqual(['emporia.user.v1.AccountRegistered']);
  });

  it('signs in through its prepared statements after a migration adds a column to accounts', async () => {
    await register('mia');
    const as = () =>
      call<userV1.LoginResponse>('login', {
        identifier: email('mia'),
        password: PASSWORD,
        ip: '10.0.7.1',
        deviceId: 'phone-7',
      });
    await as();
    await as(); // the read and the statement are prepared on the pool's connections now
    await pg.query(`ALTER TABLE accounts ADD COLUMN probe_column text`);
    try {
      expect((await as()).tokens?.accessToken).toBeTruthy();
      expect((await as()).tokens?.accessToken).toBeTruthy();
    } finally {
      await pg.query(`ALTER TABLE accounts DROP COLUMN probe_column`);
    }
  });
});
