import { newContext } from '@emporia/platform';
import { AccountAdminUseCase } from '../application/account-admin.use-case';
import { FreezeAccountUseCase } from '../application/freeze-account.use-case';
import { LoginUseCase } from '../application/login.use-case';
import { LogoutUseCase } from '../application/logout.use-case';
import { MfaUseCase } from '../application/mfa.use-case';
import { OrderEventsUseCase } from '../application/order-events.use-case';
import { PointsUseCase } from '../application/points.use-case';
import { PrivacyUseCase } from '../application/privacy.use-case';
import { ReviewPointsUseCase } from '../application/review-points.use-case';
import { ProfileUseCase } from '../application/profile.use-case';
import { RefreshUseCase } from '../application/refresh.use-case';
import { RegisterUseCase } from '../application/register.use-case';
import type { AuthSettings, PointsSettings } from '../application/ports';
import { AccountSecurityUseCase } from '../application/account-security.use-case';
import { ManageSessionsUseCase } from '../application/manage-sessions.use-case';
import { PasskeyCeremonies } from '../application/passkey-ceremonies';
import { SecondFactorCheck } from '../application/second-factor';
import { SendSmsCodeUseCase } from '../application/send-sms-code.use-case';
import { StepUpUseCase } from '../application/step-up.use-case';
import { nodeHmac } from '../infrastructure/node-crypto';
import { SimpleWebAuthn } from '../infrastructure/simple-webauthn.adapter';
import { aRegistration, PASSWORD } from './builders';
import {
  FakeClock,
  FakeLoginRisk,
  FakeLoginThrottle,
  FakePasswordHasher,
  FakeTokenSecrets,
  FakeTokenSigner,
  InMemoryUserUnitOfWork,
  recordingLogger,
  SequentialIds,
} from './in-memory';
import {
  fakeCodeHasher,
  FakeOneTimeCodeSender,
  FakePlaceLookup,
  FakeSmsSendLimiter,
} from './in-memory-security';

/**
 * Every user use case wired to the in-memory unit of work and fakes of the hasher, throttle,
 * risk, signer and token secrets, a hand-moved clock and sequential ids (`nodeHmac` is the real
 * HMAC: pure computation, no server). `customer()` registers an account through the use case.
 */
export function userHarness() {
  const clock = new FakeClock();
  const uow = new InMemoryUserUnitOfWork(undefined, clock);
  const ids = new SequentialIds();
  const hasher = new FakePasswordHasher();
  const throttle = new FakeLoginThrottle(clock);
  const risk = new FakeLoginRisk();
  const signer = new FakeTokenSigner();
  const secrets = new FakeTokenSecrets();
  const logger = recordingLogger();
  const auth: AuthSettings = { refreshTtlMs: 30 * 86_400_000, stepUpWindowMs: 5 * 60_000 };
  const places = new FakePlaceLookup();
  const smsLimiter = new FakeSmsSendLimiter();
  const smsSender = new FakeOneTimeCodeSender();
  const mfaSettings = { issuer: 'Emporia', hmac: nodeHmac };
  // the real WebAuthn adapter (pure computation) for the relying party `localhost`
  const ceremonies = new PasskeyCeremonies(
    new SimpleWebAuthn({ id: 'localhost', name: 'Emporia', origins: ['http://localhost:8080'] }),
    secrets,
    ids,
  );
  const factors = new SecondFactorCheck(mfaSettings, secrets, fakeCodeHasher, ceremonies);
  const points: PointsSettings = {
    perMajorUnit: 1,
    ttlMs: 365 * 86_400_000,
    reviewPhotoPoints: 20,
  };
  const ctx = newContext();
  const h = {
    ctx,
    uow,
    store: uow.store,
    clock,
    ids,
    hasher,
    throttle,
    risk,
    signer,
    secrets,
    logger,
    auth,
    points,
    places,
    smsLimiter,
    smsSender,
    /** The HMAC the MFA use case computes codes with, for tests that act as the authenticator. */
    hmac: nodeHmac,
    register: new RegisterUseCase(uow, hasher, clock, ids),
    login: new LoginUseCase(
      uow,
      hasher,
      throttle,
      signer,
      secrets,
      clock,
      ids,
      auth,
      risk,
      logger,
      places,
    ),
    refresh: new RefreshUseCase(uow, signer, secrets, clock, places),
    logout: new LogoutUseCase(uow, secrets, clock),
    freeze: new FreezeAccountUseCase(uow, clock),
    admin: new AccountAdminUseCase(uow, clock),
    orderEvents: new OrderEventsUseCase(uow, clock, ids, points),
    pointsUseCase: new PointsUseCase(uow, clock),
    reviewPoints: new ReviewPointsUseCase(uow, clock, ids, points),
    profile: new ProfileUseCase(uow, clock, ids),
    privacy: new PrivacyUseCase(uow, hasher, clock),
    mfa: new MfaUseCase(
      uow,
      hasher,
      throttle,
      signer,
      secrets,
      clock,
      ids,
      auth,
      mfaSettings,
      factors,
      places,
    ),
    sendSmsCode: new SendSmsCodeUseCase(
      uow,
      secrets,
      ids,
      clock,
      auth,
      fakeCodeHasher,
      smsLimiter,
      smsSender,
    ),
    stepUp: new StepUpUseCase(uow, hasher, throttle, signer, clock, auth, factors, ceremonies),
    sessions: new ManageSessionsUseCase(uow, clock),
    security: new AccountSecurityUseCase(uow, hasher, throttle, clock, auth, fakeCodeHasher),
    /** A registered customer. */
    customer: (email = `c${ids.newId().slice(-4)}@example.com`) =>
      h.register.execute(ctx, aRegistration(email)),
    /** A customer signed in from `deviceId`: the account and its tokens. */
    async signedIn(email?: string, deviceId = 'phone-1') {
      const account = await h.customer(email);
      const r = await h.login.execute(ctx, {
        identifier: account.email!,
        password: PASSWORD,
        ip: '10.0.0.1',
        deviceId,
      });
      if (!('tokens' in r)) throw new Error('expected tokens, got an MFA challenge');
      return { account, tokens: r.tokens };
    },
  };
  return h;
}
export type UserHarness = ReturnType<typeof userHarness>;
