import type { Redis } from 'ioredis';
import { userV1 } from '@emporia/contracts';
import type { Principal, TokenRevocationList } from '../application/ports';
import type { TokenRevocationCopy } from './token-revocation-copy';

/**
 * Reads the revocation list the user service writes (`libs/contracts/src/token-revocation.ts`):
 * one MGET per authenticated request, of the account's entry and the session's, which share a
 * cluster slot. A token is revoked when either entry is at or after its `iat` (milliseconds); a
 * token without `iat` is revoked by any entry. With the replica's live copy of the list
 * (`copy`, token-revocation-copy.ts) the answer comes from memory (`known`) and Redis is read
 * only while the copy is not live.
 */
export class RedisTokenRevocationList implements TokenRevocationList {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly copy?: TokenRevocationCopy,
  ) {}

  known(p: Principal): boolean | undefined {
    return this.copy?.known(p);
  }

  async isRevoked(p: Principal): Promise<boolean> {
    const known = this.copy?.known(p);
    if (known !== undefined) return known;
    const keys = [userV1.revokedBeforeKey(this.prefix, p.accountId)];
    if (p.sessionId) keys.push(userV1.revokedSessionKey(this.prefix, p.accountId, p.sessionId));
    const marks = await this.redis.mget(...keys);
    const issuedMs = Math.round((p.issuedAt ?? 0) * 1000);
    return marks.some((m) => m !== null && Number(m) >= issuedMs);
  }
}
