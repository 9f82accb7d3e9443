import { PasskeyCeremonies } from '../application/passkey-ceremonies';
import { PasskeyLoginUseCase } from '../application/passkey-login.use-case';
import { PasskeyUseCase } from '../application/passkey.use-case';
import type { PlaceLookup } from '../application/security.ports';
import type { Account } from '../domain/account';
import { SimpleWebAuthn } from '../infrastructure/simple-webauthn.adapter';
import type { UserHarness } from './harness';
import { SoftAuthenticator, type SoftAuthenticatorOptions } from './soft-authenticator';

/** The origin the harness's relying party (`localhost`) accepts. */
export const TEST_ORIGIN = 'http://localhost:8080';

/**
 * The passkey use cases on a user harness: the real WebAuthn adapter (pure computation) for the
 * relying party `localhost` on TEST_ORIGIN, and soft authenticators to answer its options.
 */
export function withPasskeys(h: UserHarness) {
  const webauthn = new SimpleWebAuthn({ id: 'localhost', name: 'Emporia', origins: [TEST_ORIGIN] });
  const ceremonies = new PasskeyCeremonies(webauthn, h.secrets, h.ids);
  const places: PlaceLookup = { placeOf: () => '' };
  const p = {
    webauthn,
    ceremonies,
    passkeys: new PasskeyUseCase(h.uow, ceremonies, h.secrets, h.clock, h.auth),
    passkeyLogin: new PasskeyLoginUseCase(
      h.uow,
      ceremonies,
      h.throttle,
      h.risk,
      h.signer,
      h.secrets,
      h.clock,
      h.ids,
      h.auth,
      places,
    ),
    /** A soft authenticator on TEST_ORIGIN (or as `options` say). */
    authenticator: (options: Partial<SoftAuthenticatorOptions> = {}) =>
      new SoftAuthenticator({ origin: TEST_ORIGIN, ...options }),
    /**
     * A signed-in customer whose session stepped up just now (its second factor proved now, as a
     * StepUp does): the account and the session's id.
     */
    async steppedUp(email?: string): Promise<{ account: Account; sessionId: string }> {
      const { account } = await h.signedIn(email);
      const [session] = h.store.familiesOf(account.id);
      p.stepUpNow(session.id);
      return { account, sessionId: session.id };
    },
    /** The session proves a second factor now (as StepUp records it). */
    stepUpNow(sessionId: string): void {
      const stored = h.store.families.get(sessionId)!;
      h.store.families.set(sessionId, {
        ...stored,
        family: { ...stored.family, secondFactorAt: h.clock.now() },
      });
    },
    /** Registers a passkey of `authenticator` for a stepped-up session. */
    async register(
      who: { account: Account; sessionId: string },
      authenticator: SoftAuthenticator,
      name?: string,
    ) {
      const input = { accountId: who.account.id, sessionId: who.sessionId };
      const options = await p.passkeys.beginRegistration(h.ctx, input);
      return p.passkeys.finishRegistration(h.ctx, {
        ...input,
        responseJson: authenticator.create(options),
        name,
      });
    },
  };
  return p;
}
export type PasskeyHarness = ReturnType<typeof withPasskeys>;
