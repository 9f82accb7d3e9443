import { loginAnomalies, type Account } from '../domain/account';
import { deviceNameFrom } from '../domain/device-name';
import { newFamily, type SessionClient, type SignInMethod } from '../domain/refresh-token-family';
import type { TokenPair } from './token-pair';
import type { AuthSettings, IdGenerator, TokenSecrets, TokenSigner, UserTx } from './ports';
import type { PlaceLookup } from './security.ports';

/** What opening a session needs; without `places` a session's place stays empty. */
export interface SessionDeps {
  signer: TokenSigner;
  secrets: TokenSecrets;
  ids: IdGenerator;
  settings: AuthSettings;
  places?: PlaceLookup;
}

/** The client as a sign-in sees it. */
export interface ClientSeen {
  deviceId: string;
  ip: string;
  userAgent?: string;
}

/** How the sign-in was made: PASSWORD without a second factor unless said. */
export interface SessionOpening {
  signedInWith: SignInMethod;
  /** A second factor was proved now (the session's `secondFactorAt`, the token's `mfa_at`). */
  secondFactor: boolean;
}

const PASSWORD_ONLY: SessionOpening = { signedInWith: 'PASSWORD', secondFactor: false };

/** The session's client: the device id cut as known_logins keeps it, its name and place. */
export function describeClient(client: ClientSeen, places?: PlaceLookup): SessionClient {
  return {
    deviceId: client.deviceId.slice(0, 200),
    deviceName: deviceNameFrom(client.userAgent),
    ip: client.ip,
    place: places && client.ip ? places.placeOf(client.ip) : '',
  };
}

/** Starts a refresh-token family for a fresh login and signs its first access token. */
export async function issueNewSession(
  tx: UserTx,
  deps: SessionDeps,
  account: Account,
  now: Date,
  opening: SessionOpening = PASSWORD_ONLY,
  client?: SessionClient,
): Promise<TokenPair> {
  const refreshToken = deps.secrets.newToken();
  const family = newFamily({
    id: deps.ids.newId(),
    userId: account.id,
    tokenId: deps.secrets.hash(refreshToken),
    now,
    ttlMs: deps.settings.refreshTtlMs,
    signedInWith: opening.signedInWith,
    secondFactor: opening.secondFactor,
    client,
  });
  await tx.families.insert(family);
  const access = await deps.signer.signAccess(account, now, family.id, family.secondFactorAt);
  return {
    accessToken: access.token,
    accessExpiresAt: access.expiresAt,
    refreshToken,
    refreshExpiresAt: family.expiresAt,
  };
}

/**
 * A successful login (after any second factor): remembers the device and address, reports an
 * anomaly when either is new to the account (with the device's name, the place and how it signed
 * in, for the new-device notice), and starts the session.
 */
export async function openSession(
  tx: UserTx,
  deps: SessionDeps,
  account: Account,
  client: ClientSeen,
  now: Date,
  opening: SessionOpening = PASSWORD_ONLY,
): Promise<TokenPair> {
  const described = describeClient(client, deps.places);
  const { deviceId } = described;
  const kinds = loginAnomalies(
    await tx.knownLogins.record(account.id, deviceId, client.ip, now),
    deviceId,
  );
  if (kinds.length > 0)
    tx.events.loginAnomaly(account.id, kinds, deviceId, client.ip, now, {
      deviceName: described.deviceName,
      place: described.place,
      signedInWith: opening.signedInWith,
    });
  return issueNewSession(tx, deps, account, now, opening, described);
}
