import { status } from '@grpc/grpc-js';
import { PROTO_FILES, type userV1 } from '@emporia/contracts';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { userConfigSchema } from '../src/config';
import { startUser } from '../src/user.app';

jest.setTimeout(120_000);

const PASSWORD = 'correct horse battery staple';

/**
 * FindAccount on real servers: the operators' search by the e-mail (any case) or E.164 phone an
 * account signs in with, answered from the accounts' unique indexes; nothing for an unknown or
 * erased account; INVALID_ARGUMENT with a stable code for what is no identifier.
 */
describe('user service: finding an account by e-mail or phone (real Postgres)', () => {
  const suffix = uniqueSuffix();
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const find = (identifier: string) =>
    call<userV1.FindAccountResponse>('findAccount', { identifier });
  const failure = grpcFailure;
  // a phone number of this run (E.164, 13 digits after +86)
  const phone = `+86139${suffix.replace(/\D/g, '').padEnd(8, '0').slice(0, 8)}`;

  beforeAll(async () => {
    db = await createTestDatabase('user_lookup_it');
    const config = userConfigSchema.parse({
      USER_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `lookup:${suffix}:`,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `lookup${suffix}.`,
      USER_GRPC_PORT: String(await freePort()),
      USER_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      USER_MIGRATE_ON_START: 'true',
      MFA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    service = await startUser(config, testLogger('user'));
    client = grpcTestClient(PROTO_FILES.user, 'emporia.user.v1.UserService', service.grpcUrl!);
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    await db?.drop();
  });

  it('finds an account by its e-mail in any case and by its phone, and nothing else', async () => {
    const email = `Han.Mei.${suffix}@Example.cn`;
    const { account } = await call<userV1.RegisterResponse>('register', {
      email,
      phone,
      password: PASSWORD,
    });
    for (const identifier of [email, email.toUpperCase(), ` ${email.toLowerCase()} `, phone])
      expect({ identifier, found: (await find(identifier)).account }).toEqual({
        identifier,
        found: expect.objectContaining({
          id: account!.id,
          email: email.toLowerCase(),
          phone,
          roles: ['customer'],
          status: 'ACCOUNT_STATUS_ACTIVE',
        }),
      });
    const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 6)}-${phone.slice(6)}`;
    expect((await find(spaced)).account?.id).toBe(account!.id);
    expect((await find(`nobody.${suffix}@example.cn`)).account ?? null).toBeNull();
    expect((await find('+8613000000001')).account ?? null).toBeNull();
  });

  it('never finds an erased account', async () => {
    const email = `erased.${suffix}@example.cn`;
    const { account } = await call<userV1.RegisterResponse>('register', {
      email,
      password: PASSWORD,
    });
    expect((await find(email)).account?.id).toBe(account!.id);
    await call('deleteAccount', { accountId: account!.id, password: '', byOperator: true });
    expect((await find(email)).account ?? null).toBeNull();
  });

  it.each([
    ['', 'IDENTIFIER_REQUIRED'],
    ['mei@', 'EMAIL_INVALID'],
    ['13800138000', 'PHONE_INVALID'],
  ])('refuses %j as INVALID_ARGUMENT %s', async (identifier, code) => {
    expect(await failure(find(identifier))).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code,
    });
  });
});
