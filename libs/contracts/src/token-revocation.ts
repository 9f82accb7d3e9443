/**
 * The access-token revocation list, shared by the user service (which writes it) and the gateway
 * (which reads it on every authenticated request), in the Redis both are given (`REDIS_URL`).
 * Not generated: the one place the key names are spelt, so the two sides cannot drift.
 *
 * Each entry's value is an instant in milliseconds since the epoch: a token of the account (or of
 * the one session) whose `iat` (seconds, with milliseconds as a fraction) is at or before it is
 * revoked. An entry expires when every token it can refuse has expired (the access-token
 * lifetime after the instant, plus a margin for clock differences).
 *
 * Keys carry the account id as a Redis Cluster hash tag, so both entries of one account sit in
 * one slot and the gateway reads them with one MGET.
 */
export const DEFAULT_TOKEN_REVOCATION_PREFIX = 'emporia:';

/** Every token of the account issued at or before the value: freeze, erasure, fewer roles. */
export const revokedBeforeKey = (prefix: string, accountId: string): string =>
  `${prefix}revoked-before:{${accountId}}`;

/** Every token of one session (refresh-token family, the `sid` claim): logout, reuse. */
export const revokedSessionKey = (prefix: string, accountId: string, sessionId: string): string =>
  `${prefix}revoked-session:{${accountId}}:${sessionId}`;

/**
 * The Redis pub/sub channel on which the writer announces every entry it moves forward, in the
 * same Lua call as the write (so an announcement is never sent for a write that did not happen,
 * nor a write made without one): `revocationMessage(key, beforeMs, expireAtMs)`. Gateways keep
 * a copy of the list in memory from these (see the gateway's README).
 */
export const tokenRevocationChannel = (prefix: string): string => `${prefix}token-revocations`;

/**
 * The index of the list: a sorted set of every entry's key, scored by its expiry (ms since the
 * epoch). The writer adds an entry's key here before it writes the entry (and trims expired
 * members), so a gateway loads its copy by reading this one key and the entries it names, never
 * by walking Redis's keyspace. One key (one Cluster slot): written apart from the entries, never
 * in the same script. A member whose entry is gone is skipped.
 */
export const tokenRevocationIndexKey = (prefix: string): string =>
  `${prefix}token-revocations:index`;

/** An announcement on the channel: the entry's key, its value and its expiry (ms since the epoch). */
export interface TokenRevocationMessage {
  key: string;
  beforeMs: number;
  expireAtMs: number;
}

/** `<beforeMs> <expireAtMs> <key>` (the key last: it may hold anything). */
export const revocationMessage = (key: string, beforeMs: number, expireAtMs: number): string =>
  `${beforeMs} ${expireAtMs} ${key}`;

/** The announcement in a channel message, or undefined when it is not one. */
export function parseRevocationMessage(message: string): TokenRevocationMessage | undefined {
  const a = message.indexOf(' ');
  const b = a < 0 ? -1 : message.indexOf(' ', a + 1);
  if (b < 0) return undefined;
  const beforeMs = Number(message.slice(0, a));
  const expireAtMs = Number(message.slice(a + 1, b));
  const key = message.slice(b + 1);
  if (!Number.isFinite(beforeMs) || !Number.isFinite(expireAtMs) || key === '') return undefined;
  return { key, beforeMs, expireAtMs };
}
