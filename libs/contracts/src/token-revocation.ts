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
