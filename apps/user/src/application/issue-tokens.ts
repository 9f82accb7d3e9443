import { loginAnomalies, type Account } from '../domain/account';
import { newFamily } from '../domain/refresh-token-family';
import type { TokenPair } from './token-pair';
import type { AuthSettings, IdGenerator, TokenSecrets, TokenSigner, UserTx } from './ports';

/** Starts a refresh-token family for a fresh login and signs its first access token. */
export async function issueNewSession(
  tx: UserTx,
  deps: { signer: TokenSigner; secrets: TokenSecrets; ids: IdGenerator; settings: AuthSettings },
  account: Account,
  now: Date,
): Promise<TokenPair> {
  const refreshToken = deps.secrets.newToken();
  const family = newFamily({
    id: deps.ids.newId(),
    userId: account.id,
    tokenId: deps.secrets.hash(refreshToken),
    now,
    ttlMs: deps.settings.refreshTtlMs,
  });
  await tx.families.insert(family);
  const access = await deps.signer.signAccess(account, now, family.id);
  return {
    accessToken: access.token,
    accessExpiresAt: access.expiresAt,
    refreshToken,
    refreshExpiresAt: family.expiresAt,
  };
}

/**
 * A successful login (after any second factor): remembers the device and address, reports an
 * anomaly when either is new to the account, and starts the session.
 */
export async function openSession(
  tx: UserTx,
  deps: { signer: TokenSigner; secrets: TokenSecrets; ids: IdGenerator; settings: AuthSettings },
  account: Account,
  client: { deviceId: string; ip: string },
  now: Date,
): Promise<TokenPair> {
  const deviceId = client.deviceId.slice(0, 200);
  const kinds = loginAnomalies(
    await tx.knownLogins.record(account.id, deviceId, client.ip, now),
    deviceId,
  );
  if (kinds.length > 0) tx.events.loginAnomaly(account.id, kinds, deviceId, client.ip, now);
  return issueNewSession(tx, deps, account, now);
}
