import type { userV1 } from '@emporia/contracts';
import type { Passkey } from '../domain/passkey';

/** A passkey as the API shows it: never its public key or counter. */
export const passkeyToProto = (p: Passkey): userV1.Passkey => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
  lastUsedAt: p.lastUsedAt?.toISOString() ?? '',
  backedUp: p.backedUp,
  transports: p.transports,
});
