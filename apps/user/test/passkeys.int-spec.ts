import { randomBytes, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { PROTO_FILES, type userV1 } from '@emporia/contracts';
import { createDataSource } from '@emporia/persistence';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  migrateTestDatabase,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { userConfigSchema } from '../src/config';
import type { Passkey } from '../src/domain/passkey';
import { base32Decode, totp } from '../src/domain/totp';
import { USER_MIGRATIONS } from '../src/infrastructure/migrations';
import { nodeHmac } from '../src/infrastructure/node-crypto';
import { SqlPasskeyRepository } from '../src/infrastructure/sql-passkey.repository';
import { SoftAuthenticator } from '../src/testing/soft-authenticator';
import { startUser } from '../src/user.app';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';
const ORIGIN = 'http://localhost:8080';

/**
 * Passkeys on real Postgres (and Redis, Kafka for the service): the SQL adapter's rows and
 * constraints, then the RPCs end to end with a soft authenticator: registration after a step-up,
 * passwordless sign-in, the second step of a password login with TOTP on, renaming, removal,
 * clones and other origins refused, and the sweep of expired challenges.
 */
describe('user service: passkeys (real Postgres + Redis)', () => {
  const suffix = uniqueSuffix();
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase('user_passkeys_it');
    await migrateTestDatabase(db.url, USER_MIGRATIONS);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  const newAccount = async (email: string) => {
    const id = randomUUID();
    await pg.query(
      `INSERT INTO accounts (id, email, password_hash, roles, status, created_at)
       VALUES ($1, $2, 'x', '{customer}', 'ACTIVE', now())`,
      [id, email],
    );
    return id;
  };

  describe('SqlPasskeyRepository', () => {
    let ds: DataSource;
    let repo: SqlPasskeyRepository;
    beforeAll(async () => {
      ds = await createDataSource({ url: db.url, entities: [], migrations: [] }).initialize();
      repo = new SqlPasskeyRepository(ds.manager);
    });
    afterAll(() => ds?.destroy());

    const passkey = (accountId: string, over: Partial<Passkey> = {}): Passkey => ({
      id: randomBytes(32).toString('base64url'),
      accountId,
      publicKey: new Uint8Array(randomBytes(77)),
      counter: 0,
      transports: ['internal', 'hybrid'],
      backedUp: false,
      deviceType: 'singleDevice',
      name: 'Passkey 1',
      createdAt: new Date('2026-03-01T10:00:00Z'),
      lastUsedAt: null,
      ...over,
    });

    it('stores passkeys (key bytes, transports, a 64-bit counter) and lists an account’s newest first', async () => {
      const a = await newAccount(`repo-a.${suffix}@example.cn`);
      const b = await newAccount(`repo-b.${suffix}@example.cn`);
      const older = passkey(a);
      const newer = passkey(a, { name: '手机', createdAt: new Date('2026-03-02T10:00:00Z') });
      expect(await repo.insert(older)).toBe(true);
      expect(await repo.insert(newer)).toBe(true);
      expect(await repo.insert(passkey(b))).toBe(true);
      // a credential id is unique across accounts: nothing stored the second time
      expect(await repo.insert({ ...older, accountId: b, name: 'copy' })).toBe(false);
      expect((await repo.list(a)).map((p) => p.name)).toEqual(['手机', 'Passkey 1']);
      expect(await repo.count(a)).toBe(2);
      expect(await repo.find(older.id)).toEqual(older);
      await repo.recordUse(older.id, 2 ** 40, true, new Date('2026-03-03T00:00:00Z'));
      expect(await repo.find(older.id, true)).toMatchObject({
        counter: 2 ** 40,
        backedUp: true,
        lastUsedAt: new Date('2026-03-03T00:00:00Z'),
      });
      // ids that cannot be credential ids find nothing (and reach no SQL)
      expect(await repo.find("x' OR '1'='1")).toBeNull();
    });

    it('renames and removes within the account only; the table refuses a name over 60', async () => {
      const a = await newAccount(`repo-c.${suffix}@example.cn`);
      const b = await newAccount(`repo-d.${suffix}@example.cn`);
      const p = passkey(a);
      await repo.insert(p);
      expect(await repo.rename(b, p.id, 'stolen')).toBeNull();
      expect(await repo.remove(b, p.id)).toBe(false);
      expect(await repo.rename(a, p.id, 'Laptop')).toMatchObject({ id: p.id, name: 'Laptop' });
      await expect(repo.rename(a, p.id, 'x'.repeat(61))).rejects.toThrow(/check/);
      expect(await repo.remove(a, p.id)).toBe(true);
      expect(await repo.find(p.id)).toBeNull();
    });

    it('keeps challenges by hash, marks them used, and deletes expired ones in bounded batches', async () => {
      const a = await newAccount(`repo-e.${suffix}@example.cn`);
      const past = new Date(Date.now() - 60_000);
      const future = new Date(Date.now() + 60_000);
      const challenge = (expiresAt: Date, accountId: string | null) => ({
        id: randomUUID(),
        ceremony: accountId ? ('STEP_UP' as const) : ('SIGN_IN' as const),
        accountId,
        sessionId: null,
        mfaChallengeId: null,
        expiresAt,
        usedAt: null,
      });
      const open = challenge(future, a);
      await repo.insertChallenge(open, `hash-open-${suffix}`);
      for (let i = 0; i < 3; i++)
        await repo.insertChallenge(challenge(past, null), `hash-old-${i}-${suffix}`);
      expect(await repo.findChallengeForUpdate(`hash-open-${suffix}`)).toEqual(open);
      await repo.useChallenge(open.id, future);
      expect(await repo.findChallengeForUpdate(`hash-open-${suffix}`)).toMatchObject({
        usedAt: future,
      });
      expect(await repo.deleteExpiredChallenges(new Date(), 2)).toBe(2);
      expect(await repo.deleteExpiredChallenges(new Date(), 2)).toBe(1);
      expect(await repo.deleteExpiredChallenges(new Date(), 2)).toBe(0);
      expect(await repo.findChallengeForUpdate(`hash-open-${suffix}`)).not.toBeNull();
      // a challenge of any ceremony but a sign-in names its account
      await expect(
        repo.insertChallenge({ ...challenge(future, null), ceremony: 'STEP_UP' }, `h-${suffix}`),
      ).rejects.toThrow(/check/);
    });
  });

  describe('over gRPC with a soft authenticator', () => {
    let service: RunningService;
    let client: ReturnType<typeof grpcTestClient>;
    const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
    const failure = grpcFailure;
    const email = (name: string) => `${name}.${suffix}@example.cn`;
    const phone = new SoftAuthenticator({ origin: ORIGIN });
    const laptop = new SoftAuthenticator({ origin: ORIGIN, backedUp: true, noCounter: true });
    let accountId: string;
    let sessionId: string;

    /** A session of the account whose second factor was proved just now (a step-up's effect). */
    const steppedUpSession = async (name: string) => {
      const r = await call<userV1.LoginResponse>('login', {
        identifier: email(name),
        password: PASSWORD,
        ip: '10.7.0.1',
      });
      const sid = decodeJwt(r.tokens!.accessToken).sid as string;
      await pg.query(`UPDATE refresh_token_families SET second_factor_at = now() WHERE id = $1`, [
        sid,
      ]);
      return sid;
    };
    const register = async (authenticator: SoftAuthenticator, name = '') => {
      const { optionsJson } = await call<userV1.BeginPasskeyRegistrationResponse>(
        'beginPasskeyRegistration',
        { accountId, sessionId },
      );
      return call<userV1.FinishPasskeyRegistrationResponse>('finishPasskeyRegistration', {
        accountId,
        sessionId,
        responseJson: authenticator.create(optionsJson),
        name,
      });
    };
    const passwordless = async (authenticator: SoftAuthenticator, override = {}) => {
      const begun = await call<userV1.BeginPasskeyLoginResponse>('beginPasskeyLogin', {});
      return call<userV1.FinishPasskeyLoginResponse>('finishPasskeyLogin', {
        passkeyChallenge: begun.passkeyChallenge,
        responseJson: authenticator.get(begun.optionsJson, override),
        ip: '10.7.0.2',
        deviceId: 'laptop-1',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
      });
    };

    beforeAll(async () => {
      const config = userConfigSchema.parse({
        USER_DATABASE_URL: db.url,
        REDIS_URL: testEnv.redisUrl(),
        REDIS_KEY_PREFIX: `passkeys:${suffix}:`,
        KAFKA_BROKERS: testEnv.kafkaBrokers(),
        KAFKA_TOPIC_PREFIX: `passkeys${suffix}.`,
        USER_GRPC_PORT: String(await freePort()),
        USER_HTTP_PORT: '0',
        BIND_HOST: '127.0.0.1',
        POINTS_EXPIRY_INTERVAL_MS: '200',
        MFA_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
        WEBAUTHN_RP_ID: 'localhost',
        WEBAUTHN_ORIGINS: ORIGIN,
      });
      service = await startUser(config, testLogger('user'));
      client = grpcTestClient(PROTO_FILES.user, 'emporia.user.v1.UserService', service.grpcUrl!);
      accountId = (
        await call<userV1.RegisterResponse>('register', { email: email('pk'), password: PASSWORD })
      ).account!.id;
      sessionId = await steppedUpSession('pk');
    });

    afterAll(async () => {
      client?.close();
      await service?.close();
    });

    it('registers two passkeys after a step-up; the first brings recovery codes', async () => {
      const first = await register(phone);
      expect(first.passkey).toMatchObject({ name: 'Passkey 1', transports: ['internal'] });
      expect(first.recoveryCodes).toHaveLength(10);
      const second = await register(laptop, 'Work laptop');
      expect(second.recoveryCodes).toEqual([]);
      expect(second.passkey).toMatchObject({ name: 'Work laptop', backedUp: true, lastUsedAt: '' });
      const { passkeys } = await call<userV1.ListPasskeysResponse>('listPasskeys', { accountId });
      expect(passkeys.map((p) => p.name)).toEqual(['Work laptop', 'Passkey 1']);
      const [row] = (
        await pg.query(`SELECT count(*)::int AS n FROM mfa_recovery_codes WHERE account_id = $1`, [
          accountId,
        ])
      ).rows;
      expect(row.n).toBe(10);
      // the challenges are stored by hash: the options' challenge is nowhere in the table
      const options = JSON.parse(
        (
          await call<userV1.BeginPasskeyRegistrationResponse>('beginPasskeyRegistration', {
            accountId,
            sessionId,
          })
        ).optionsJson,
      );
      expect(options.excludeCredentials).toHaveLength(2);
      const stored = await pg.query(
        `SELECT * FROM passkey_challenges WHERE challenge_hash = $1 OR challenge_hash = encode(sha256($2::bytea), 'hex')`,
        [options.challenge, Buffer.from(options.challenge)],
      );
      expect(stored.rows).toHaveLength(1);
      expect(JSON.stringify(stored.rows[0])).not.toContain(options.challenge);
    });

    it('refuses registration without a recent step-up in the session', async () => {
      const other = await steppedUpSession('pk'); // another session of the account
      await pg.query(
        `UPDATE refresh_token_families SET second_factor_at = now() - interval '6 minutes' WHERE id = $1`,
        [other],
      );
      expect(
        await failure(call('beginPasskeyRegistration', { accountId, sessionId: other })),
      ).toMatchObject({ status: status.FAILED_PRECONDITION, code: 'STEP_UP_REQUIRED' });
      expect(
        await failure(call('beginPasskeyRegistration', { accountId, sessionId: 'not-a-session' })),
      ).toMatchObject({ status: status.FAILED_PRECONDITION, code: 'STEP_UP_REQUIRED' });
    });

    it('signs in without a password; a clone, another origin and bad JSON are refused', async () => {
      const r = await passwordless(phone);
      expect(r.account!.id).toBe(accountId);
      const sid = decodeJwt(r.tokens!.accessToken).sid as string;
      const [session] = (
        await pg.query(
          `SELECT signed_in_with, second_factor_at IS NOT NULL AS stepped FROM refresh_token_families WHERE id = $1`,
          [sid],
        )
      ).rows;
      expect(session).toEqual({ signed_in_with: 'PASSKEY', stepped: true });
      expect(await passwordless(laptop)).toMatchObject({ account: { id: accountId } });
      // the phone's counter is 1 now: an assertion reporting 1 again is a cloned authenticator
      expect(await failure(passwordless(phone, { counter: 1 }))).toMatchObject({
        status: status.UNAUTHENTICATED,
        code: 'PASSKEY_VERIFICATION_FAILED',
      });
      expect(await failure(passwordless(phone, { origin: 'https://evil.example' }))).toMatchObject({
        status: status.UNAUTHENTICATED,
        code: 'PASSKEY_VERIFICATION_FAILED',
      });
      expect(
        await failure(
          call('finishPasskeyLogin', { passkeyChallenge: 'x', responseJson: '{', ip: '10.7.0.2' }),
        ),
      ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'PASSKEY_RESPONSE_INVALID' });
      const { passkeys } = await call<userV1.ListPasskeysResponse>('listPasskeys', { accountId });
      expect(passkeys.every((p) => p.lastUsedAt !== '')).toBe(true);
    });

    it('answers the second step of a password login with TOTP on', async () => {
      const begun = await call<userV1.BeginMfaEnrolmentResponse>('beginMfaEnrolment', {
        accountId,
      });
      const code = () => totp(nodeHmac, base32Decode(begun.secret), Math.floor(Date.now() / 1000));
      await call('confirmMfaEnrolment', { accountId, code: code() });
      const login = await call<userV1.LoginResponse>('login', {
        identifier: email('pk'),
        password: PASSWORD,
        ip: '10.7.0.3',
      });
      expect(login.mfaRequired).toBe(true);
      expect(login.mfaMethods).toEqual(
        expect.arrayContaining(['TOTP', 'PASSKEY', 'RECOVERY_CODE']),
      );
      const options = await call<userV1.BeginPasskeyLoginResponse>('beginPasskeyLogin', {
        mfaChallenge: login.mfaChallenge,
      });
      expect(JSON.parse(options.optionsJson).allowCredentials).toHaveLength(2);
      const done = await call<userV1.CompleteMfaLoginResponse>('completeMfaLogin', {
        mfaChallenge: login.mfaChallenge,
        method: 'PASSKEY',
        passkeyResponseJson: phone.get(options.optionsJson),
      });
      expect(done.account!.id).toBe(accountId);
      const sid = decodeJwt(done.tokens!.accessToken).sid as string;
      const [session] = (
        await pg.query(`SELECT signed_in_with FROM refresh_token_families WHERE id = $1`, [sid])
      ).rows;
      expect(session.signed_in_with).toBe('PASSWORD+PASSKEY');
    });

    it('renames and removes a passkey; a removed one signs in no more', async () => {
      const { passkeys } = await call<userV1.ListPasskeysResponse>('listPasskeys', { accountId });
      const phoneKey = passkeys.find((p) => p.name === 'Passkey 1')!;
      const renamed = await call<userV1.RenamePasskeyResponse>('renamePasskey', {
        accountId,
        sessionId,
        passkeyId: phoneKey.id,
        name: 'Phone',
      });
      expect(renamed.passkey!.name).toBe('Phone');
      expect(
        await failure(
          call('renamePasskey', { accountId, sessionId, passkeyId: phoneKey.id, name: '' }),
        ),
      ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'PASSKEY_NAME_INVALID' });
      await call('removePasskey', { accountId, sessionId, passkeyId: phoneKey.id });
      expect(
        await failure(call('removePasskey', { accountId, sessionId, passkeyId: phoneKey.id })),
      ).toMatchObject({ status: status.NOT_FOUND, code: 'PASSKEY_NOT_FOUND' });
      expect(await failure(passwordless(phone))).toMatchObject({
        status: status.UNAUTHENTICATED,
        code: 'PASSKEY_NOT_FOUND',
      });
      const details = await call<userV1.GetAccountResponse>('getAccount', { accountId });
      expect(details.details).toMatchObject({ passkeyCount: 1, recoveryCodesLeft: 10 });
    });

    it('sweeps challenges once they expired', async () => {
      await call('beginPasskeyLogin', {});
      await pg.query(`UPDATE passkey_challenges SET expires_at = now() - interval '1 second'`);
      await eventually(
        async () =>
          Number(
            (await pg.query(`SELECT count(*)::int AS n FROM passkey_challenges`)).rows[0].n,
          ) === 0 || undefined,
        { what: 'the expired challenges swept', timeoutMs: 10_000 },
      );
    });
  });
});
