import { status } from '@grpc/grpc-js';
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
import { base32Decode, totp } from '../src/domain/totp';
import { nodeHmac } from '../src/infrastructure/node-crypto';
import { startUser } from '../src/user.app';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';

/** MFA, profiles, addresses, consents, export and erasure, tiers and roles, on real servers. */
describe('user service: MFA, profile, privacy and administration (real Postgres + Redis)', () => {
  const suffix = uniqueSuffix();
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;
  const email = (name: string) => `${name}.${suffix}@example.cn`;
  const register = async (name: string) =>
    (await call<userV1.RegisterResponse>('register', { email: email(name), password: PASSWORD }))
      .account!;
  const login = (name: string, password = PASSWORD) =>
    call<userV1.LoginResponse>('login', { identifier: email(name), password, ip: '10.1.0.1' });
  const codeAt = (secret: string, offsetSteps = 0) =>
    totp(nodeHmac, base32Decode(secret), Math.floor(Date.now() / 1000) + offsetSteps * 30);
  const count = async (sql: string, params: unknown[]) =>
    Number((await pg.query(sql, params)).rows[0].count);

  beforeAll(async () => {
    db = await createTestDatabase('user_care_it');
    const config = userConfigSchema.parse({
      USER_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `care:${suffix}:`,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `care${suffix}.`,
      USER_GRPC_PORT: String(await freePort()),
      USER_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      USER_MIGRATE_ON_START: 'true',
      LOGIN_MAX_FAILURES: '4',
      POINTS_EXPIRY_INTERVAL_MS: '200',
      MFA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
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

  describe('MFA', () => {
    let accountId: string;
    let secret: string;
    let recovery: string[];

    it('enrols with an otpauth URI, keeps the secret encrypted, and turns on only with a right code', async () => {
      accountId = (await register('mfa')).id;
      const begun = await call<userV1.BeginMfaEnrolmentResponse>('beginMfaEnrolment', {
        accountId,
      });
      secret = begun.secret;
      expect(begun.otpauthUri).toMatch(
        new RegExp(`^otpauth://totp/Emporia:mfa\\.${suffix}%40example\\.cn\\?secret=${secret}&`),
      );
      const [row] = (
        await pg.query(`SELECT status, secret_sealed FROM mfa_credentials WHERE account_id = $1`, [
          accountId,
        ])
      ).rows;
      expect(row.status).toBe('PENDING');
      expect(row.secret_sealed).toMatch(/^v1\./);
      expect(row.secret_sealed).not.toContain(secret);
      // pending MFA does not change login
      expect((await login('mfa')).tokens?.accessToken).toBeTruthy();

      expect(
        await failure(call('confirmMfaEnrolment', { accountId, code: '000000' })),
      ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'MFA_CODE_INVALID' });
      const confirmed = await call<userV1.ConfirmMfaEnrolmentResponse>('confirmMfaEnrolment', {
        accountId,
        code: codeAt(secret),
      });
      recovery = confirmed.recoveryCodes;
      expect(recovery).toHaveLength(10);
      expect(new Set(recovery).size).toBe(10);
      recovery.forEach((c) => expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/));
      const hashes = (
        await pg.query(`SELECT code_hash FROM mfa_recovery_codes WHERE account_id = $1`, [
          accountId,
        ])
      ).rows.map((r: { code_hash: string }) => r.code_hash);
      expect(hashes).toHaveLength(10);
      expect(hashes.some((h: string) => recovery.some((c) => h.includes(c.replace('-', ''))))).toBe(
        false,
      );
      expect(await failure(call('beginMfaEnrolment', { accountId }))).toMatchObject({
        status: status.FAILED_PRECONDITION,
        code: 'MFA_ALREADY_ENABLED',
      });
    });

    it('asks for a second factor after the password; a TOTP step and a recovery code each work once', async () => {
      const first = await login('mfa');
      expect(first.mfaRequired).toBe(true);
      expect(first.tokens).toBeFalsy();
      expect(first.mfaChallenge).toBeTruthy();
      // the enrolment step is used up: wait for a fresh step instead of replaying it
      const code = codeAt(secret, 1);
      const done = await call<userV1.CompleteMfaLoginResponse>('completeMfaLogin', {
        mfaChallenge: first.mfaChallenge,
        code,
      });
      expect(done.tokens?.accessToken).toBeTruthy();
      expect(done.account?.id).toBe(accountId);
      // the challenge is single use
      expect(
        await failure(call('completeMfaLogin', { mfaChallenge: first.mfaChallenge, code })),
      ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'MFA_CHALLENGE_INVALID' });
      // the same TOTP step on a new challenge is a replay
      const second = await login('mfa');
      expect(
        await failure(call('completeMfaLogin', { mfaChallenge: second.mfaChallenge, code })),
      ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'MFA_CODE_INVALID' });
      // a recovery code (any case, with spaces) works, once
      const viaRecovery = await call<userV1.CompleteMfaLoginResponse>('completeMfaLogin', {
        mfaChallenge: second.mfaChallenge,
        code: ` ${recovery[0].toUpperCase()} `,
      });
      expect(viaRecovery.recoveryCodesLeft).toBe(9);
      const third = await login('mfa');
      expect(
        await failure(
          call('completeMfaLogin', { mfaChallenge: third.mfaChallenge, code: recovery[0] }),
        ),
      ).toMatchObject({ code: 'MFA_CODE_INVALID' });
    });

    it('limits wrong codes: a challenge dies after five, and failures lock the account', async () => {
      const name = 'mfa2';
      const id = (await register(name)).id;
      const { secret: s } = await call<userV1.BeginMfaEnrolmentResponse>('beginMfaEnrolment', {
        accountId: id,
      });
      await call('confirmMfaEnrolment', { accountId: id, code: codeAt(s) });
      const { mfaChallenge } = await login(name);
      const wrong = [];
      for (let i = 0; i < 4; i++)
        wrong.push(await failure(call('completeMfaLogin', { mfaChallenge, code: '123456' })));
      expect(wrong.map((w) => w.code)).toEqual(Array(4).fill('MFA_CODE_INVALID'));
      // LOGIN_MAX_FAILURES=4: wrong codes count like wrong passwords, so the account is locked
      expect(await failure(login(name))).toMatchObject({
        status: status.RESOURCE_EXHAUSTED,
        code: 'LOGIN_LOCKED',
      });
      expect(
        (await pg.query(`SELECT event_type FROM outbox WHERE message_key = $1`, [id])).rows.map(
          (r: { event_type: string }) => r.event_type,
        ),
      ).toContain('emporia.user.v1.AccountLocked');
    });

    it('disables only with the password and a code, ending every session', async () => {
      const before = await login('mfa');
      const { tokens } = await call<userV1.CompleteMfaLoginResponse>('completeMfaLogin', {
        mfaChallenge: before.mfaChallenge,
        code: recovery[1],
      });
      expect(
        await failure(
          call('disableMfa', { accountId, password: 'wrong password!', code: recovery[2] }),
        ),
      ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'INVALID_CREDENTIALS' });
      expect(
        await failure(call('disableMfa', { accountId, password: PASSWORD, code: '999999' })),
      ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'MFA_CODE_INVALID' });
      expect(
        (await pg.query(`SELECT status FROM mfa_credentials WHERE account_id = $1`, [accountId]))
          .rows[0].status,
      ).toBe('ACTIVE');
      await call('disableMfa', { accountId, password: PASSWORD, code: recovery[2] });
      expect(
        await count(`SELECT count(*) FROM mfa_credentials WHERE account_id = $1`, [accountId]),
      ).toBe(0);
      expect(
        await count(`SELECT count(*) FROM mfa_recovery_codes WHERE account_id = $1`, [accountId]),
      ).toBe(0);
      expect(await failure(call('refresh', { refreshToken: tokens!.refreshToken }))).toMatchObject({
        status: status.UNAUTHENTICATED,
      });
      expect((await login('mfa')).mfaRequired).toBe(false);
      const types = (
        await pg.query(`SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY seq`, [
          accountId,
        ])
      ).rows.map((r: { event_type: string }) => r.event_type);
      expect(types.filter((t: string) => t === 'emporia.user.v1.MfaChanged')).toHaveLength(2);
    });
  });

  describe('profile, consents and addresses', () => {
    const address = (recipient: string, extra: Partial<userV1.Address> = {}) => ({
      recipient,
      phone: '+86 138-0013-8000',
      country: 'cn',
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      line1: '文三路 100 号',
      postalCode: '310000',
      ...extra,
    });

    it('keeps a validated profile and opt-in consents', async () => {
      const accountId = (await register('prof')).id;
      const fresh = await call<userV1.GetAccountResponse>('getAccount', { accountId });
      expect(fresh.details?.consents.map((c) => [c.purpose, c.granted])).toEqual([
        ['MARKETING_EMAIL', false],
        ['MARKETING_SMS', false],
        ['PERSONALISATION', false],
        ['ANALYTICS', false],
      ]);
      await call('updateProfile', {
        accountId,
        profile: { displayName: '小明', birthday: '1990-02-28', locale: 'zh-CN' },
      });
      expect(
        await failure(
          call('updateProfile', {
            accountId,
            profile: { displayName: 'x', birthday: '1990-02-30' },
          }),
        ),
      ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'PROFILE_INVALID' });
      expect(
        await failure(
          call('setConsents', { accountId, consents: [{ purpose: 'SPAM', granted: true }] }),
        ),
      ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'CONSENT_PURPOSE_UNKNOWN' });
      await call('setConsents', {
        accountId,
        consents: [{ purpose: 'MARKETING_SMS', granted: true }],
      });
      const after = await call<userV1.GetAccountResponse>('getAccount', { accountId });
      // account_only (order's checkout): the account and its status alone
      const only = await call<userV1.GetAccountResponse>('getAccount', {
        accountId,
        accountOnly: true,
      });
      expect(only.details?.account).toEqual(after.details?.account);
      expect(only.details?.account?.status).toBe('ACCOUNT_STATUS_ACTIVE');
      expect(only.details?.consents ?? []).toEqual([]);
      expect(only.details?.profile ?? null).toBeNull();
      expect(after.details?.profile).toEqual({
        displayName: '小明',
        birthday: '1990-02-28',
        avatarUrl: '',
        locale: 'zh-CN',
      });
      expect(after.details?.consents.find((c) => c.purpose === 'MARKETING_SMS')).toMatchObject({
        granted: true,
        updatedAt: expect.any(String),
      });
    });

    it('keeps exactly one default address, moving it when the default is deleted', async () => {
      const accountId = (await register('addr')).id;
      const a1 = (
        await call<userV1.CreateAddressResponse>('createAddress', {
          accountId,
          address: address('A'),
        })
      ).address!;
      expect(a1).toMatchObject({ isDefault: true, country: 'CN', phone: '+8613800138000' });
      const a2 = (
        await call<userV1.CreateAddressResponse>('createAddress', {
          accountId,
          address: address('B'),
        })
      ).address!;
      expect(a2.isDefault).toBe(false);
      const a3 = (
        await call<userV1.CreateAddressResponse>('createAddress', {
          accountId,
          address: address('C', { isDefault: true }),
        })
      ).address!;
      expect(a3.isDefault).toBe(true);
      const list = async () =>
        (await call<userV1.ListAddressesResponse>('listAddresses', { accountId })).addresses;
      expect((await list()).map((a) => [a.recipient, a.isDefault])).toEqual([
        ['C', true],
        ['B', false],
        ['A', false],
      ]);
      await call('updateAddress', {
        accountId,
        address: { ...address('A2'), id: a1.id, isDefault: true },
      });
      expect((await list())[0]).toMatchObject({ id: a1.id, recipient: 'A2', isDefault: true });
      await call('deleteAddress', { accountId, addressId: a1.id });
      const left = await list();
      expect(left).toHaveLength(2);
      expect(left.filter((a) => a.isDefault)).toHaveLength(1);
      expect(
        await failure(call('createAddress', { accountId, address: address('', {}) })),
      ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'ADDRESS_INVALID' });
      expect(
        await failure(
          call('createAddress', { accountId, address: address('X', { country: 'China' }) }),
        ),
      ).toMatchObject({ code: 'ADDRESS_INVALID' });
    });

    it("stores the divisions' names and GB/T 2260 codes, and refuses an undeliverable address naming the field", async () => {
      const accountId = (await register('codes')).id;
      const { address: saved } = await call<userV1.CreateAddressResponse>('createAddress', {
        accountId,
        address: address('Codes', {
          province: '浙江',
          city: '杭州',
          district: '西湖',
          line1: '文三路１００号',
        }),
      });
      expect(saved).toMatchObject({
        province: '浙江省',
        city: '杭州市',
        district: '西湖区',
        line1: '文三路100号',
        provinceCode: '330000',
        cityCode: '330100',
        districtCode: '330106',
      });
      const listed = await call<userV1.ListAddressesResponse>('listAddresses', { accountId });
      expect(listed.addresses[0]).toMatchObject({ id: saved!.id, districtCode: '330106' });
      const refused = await failure(
        call('createAddress', { accountId, address: address('X', { district: '南山区' }) }),
      );
      expect(refused).toMatchObject({
        status: status.INVALID_ARGUMENT,
        code: 'ADDRESS_INVALID',
        details: { field: 'district', reason: 'DISTRICT_NOT_IN_CITY' },
      });
      expect(
        (await call<userV1.ListAddressesResponse>('listAddresses', { accountId })).addresses,
      ).toHaveLength(1);
    });

    it("never reads or changes another account's address", async () => {
      const owner = (await register('owner')).id;
      const other = (await register('other')).id;
      const mine = (
        await call<userV1.CreateAddressResponse>('createAddress', {
          accountId: owner,
          address: address('Owner'),
        })
      ).address!;
      expect(
        await failure(
          call('updateAddress', {
            accountId: other,
            address: { ...address('Thief'), id: mine.id },
          }),
        ),
      ).toMatchObject({ status: status.NOT_FOUND, code: 'ADDRESS_NOT_FOUND' });
      expect(
        await failure(call('deleteAddress', { accountId: other, addressId: mine.id })),
      ).toMatchObject({ status: status.NOT_FOUND, code: 'ADDRESS_NOT_FOUND' });
      expect(
        (await call<userV1.ListAddressesResponse>('listAddresses', { accountId: other })).addresses,
      ).toEqual([]);
      const [row] = (
        await pg.query(`SELECT recipient, account_id FROM addresses WHERE id = $1`, [mine.id])
      ).rows;
      expect(row).toEqual({ recipient: 'Owner', account_id: owner });
    });
  });

  describe('export and erasure', () => {
    it('exports everything stored about the account, then erases it on request', async () => {
      const name = 'gdpr';
      const accountId = (await register(name)).id;
      await call('updateProfile', { accountId, profile: { displayName: 'Gina' } });
      await call('createAddress', {
        accountId,
        address: {
          recipient: 'Gina',
          phone: '+8613900000000',
          country: 'CN',
          province: '上海市',
          city: '上海市',
          district: '静安区',
          line1: '南京西路 1 号',
        },
      });
      const { tokens } = await login(name);
      const exported = JSON.parse(
        (await call<userV1.ExportAccountDataResponse>('exportAccountData', { accountId })).json,
      );
      expect(exported).toMatchObject({
        format: 'emporia.user-export.v1',
        account: { id: accountId, email: email(name) },
        profile: { display_name: 'Gina' },
        addresses: [{ recipient: 'Gina', line1: '南京西路 1 号' }],
        knownLogins: [expect.objectContaining({ kind: 'IP', value: '10.1.0.1' })],
        sessions: [expect.objectContaining({ revoked_at: null })],
      });
      expect(exported.consents).toEqual([]);

      expect(
        await failure(call('deleteAccount', { accountId, password: 'not the password' })),
      ).toMatchObject({ status: status.UNAUTHENTICATED, code: 'INVALID_CREDENTIALS' });
      await call('deleteAccount', { accountId, password: PASSWORD });

      const [acc] = (
        await pg.query(
          `SELECT email, phone, status, password_hash, deleted_at FROM accounts WHERE id = $1`,
          [accountId],
        )
      ).rows;
      expect(acc).toMatchObject({
        email: null,
        phone: null,
        status: 'DELETED',
        password_hash: '!erased',
      });
      expect(acc.deleted_at).toBeInstanceOf(Date);
      for (const table of ['profiles', 'addresses', 'known_logins', 'consents'])
        expect(
          await count(`SELECT count(*) FROM ${table} WHERE account_id = $1`, [accountId]),
        ).toBe(0);
      expect(
        await count(
          `SELECT count(*) FROM refresh_token_families WHERE account_id = $1 AND revoked_at IS NULL`,
          [accountId],
        ),
      ).toBe(0);
      expect(await failure(call('refresh', { refreshToken: tokens!.refreshToken }))).toMatchObject({
        status: status.UNAUTHENTICATED,
      });
      expect(await failure(login(name))).toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(await failure(call('getAccount', { accountId }))).toMatchObject({
        status: status.NOT_FOUND,
        code: 'ACCOUNT_NOT_FOUND',
      });
      expect(await failure(call('getAccount', { accountId, accountOnly: true }))).toMatchObject({
        status: status.NOT_FOUND,
        code: 'ACCOUNT_NOT_FOUND',
      });
      expect(
        (
          await pg.query(`SELECT event_type FROM outbox WHERE message_key = $1`, [accountId])
        ).rows.map((r: { event_type: string }) => r.event_type),
      ).toContain('emporia.user.v1.AccountDeleted');
      // the address is free to register again
      expect((await register(name)).id).not.toBe(accountId);
    });
  });

  describe('administration', () => {
    const tier = (code: string, amountMinor: number, currency = 'CNY') => ({
      code,
      name: code.toLowerCase(),
      minSpend: { amountMinor, currency },
    });

    it('replaces the tier table and re-evaluates existing members in the background', async () => {
      const accountId = (await register('tiers')).id;
      // a member in the base tier with 800 yuan of spend
      await pg.query(
        `INSERT INTO memberships (account_id, tier_code, updated_at) VALUES ($1, 'MEMBER', now())`,
        [accountId],
      );
      await pg.query(
        `INSERT INTO member_spend (account_id, ref, amount_minor, currency, at) VALUES ($1, 'o-1', 80000, 'CNY', now())`,
        [accountId],
      );
      expect(await failure(call('replaceTiers', { tiers: [tier('SILVER', 100)] }))).toMatchObject({
        status: status.INVALID_ARGUMENT,
        code: 'TIERS_NO_BASE',
      });
      expect(
        await failure(call('replaceTiers', { tiers: [tier('BASE', 0), tier('VIP', 50000)] })),
      ).toMatchObject({ status: status.FAILED_PRECONDITION, code: 'TIER_IN_USE' });
      const replaced = await call<userV1.ReplaceTiersResponse>('replaceTiers', {
        tiers: [
          tier('MEMBER', 0),
          tier('SILVER', 50000),
          tier('GOLD', 300000),
          tier('PLATINUM', 1000000),
        ],
      });
      expect(Number(replaced.membersToReevaluate)).toBeGreaterThanOrEqual(1);
      await eventually(async () => {
        const [m] = (
          await pg.query(`SELECT tier_code FROM memberships WHERE account_id = $1`, [accountId])
        ).rows;
        expect(m.tier_code).toBe('SILVER');
        return true;
      });
      const listed = await call<userV1.ListTiersResponse>('listTiers', {});
      expect(listed.tiers.map((t) => [t.code, Number(t.minSpend?.amountMinor)])).toEqual([
        ['MEMBER', 0],
        ['SILVER', 50000],
        ['GOLD', 300000],
        ['PLATINUM', 1000000],
      ]);
      expect(
        (
          await pg.query(`SELECT event_type FROM outbox WHERE message_key = $1`, [accountId])
        ).rows.map((r: { event_type: string }) => r.event_type),
      ).toContain('emporia.user.v1.TierChanged');
    });

    it('downgrades a member whose spend has left the 12-month window, with no event needed', async () => {
      const accountId = (await register('lapsed')).id;
      const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
      await pg.query(
        `INSERT INTO memberships (account_id, tier_code, updated_at, evaluated_at, tiers_version)
         VALUES ($1, 'SILVER', $2, $2, (SELECT version FROM tier_settings))`,
        [accountId, twoDaysAgo],
      );
      await pg.query(
        `INSERT INTO member_spend (account_id, ref, amount_minor, currency, at) VALUES ($1, 'o-old', 200000, 'CNY', now() - interval '13 months')`,
        [accountId],
      );
      await eventually(async () => {
        const [m] = (
          await pg.query(`SELECT tier_code FROM memberships WHERE account_id = $1`, [accountId])
        ).rows;
        expect(m.tier_code).toBe('MEMBER');
        return true;
      });
      const [event] = (
        await pg.query(`SELECT payload FROM outbox WHERE message_key = $1 AND event_type = $2`, [
          accountId,
          'emporia.user.v1.TierChanged',
        ])
      ).rows;
      expect(userV1.TierChanged.decode(event.payload)).toMatchObject({
        accountId,
        fromTier: 'SILVER',
        toTier: 'MEMBER',
        direction: 'DOWNGRADE',
      });
    });

    it('sets roles from a known set only', async () => {
      const accountId = (await register('staff')).id;
      const { account } = await call<userV1.SetAccountRolesResponse>('setAccountRoles', {
        accountId,
        roles: ['operator', 'customer', 'operator'],
      });
      expect(account?.roles).toEqual(['customer', 'operator']);
      expect(await failure(call('setAccountRoles', { accountId, roles: ['root'] }))).toMatchObject({
        status: status.INVALID_ARGUMENT,
        code: 'ROLE_UNKNOWN',
      });
    });
  });
});
