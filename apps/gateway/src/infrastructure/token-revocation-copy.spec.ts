import { userV1 } from '@emporia/contracts';
import type { Principal } from '../application/ports';
import { TokenRevocationCopy } from './token-revocation-copy';

const PREFIX = 'p:';
const ACCOUNT = '0190a000-0000-7000-8000-000000000001';
const principal = (issuedAtMs: number, sessionId?: string): Principal =>
  ({
    accountId: ACCOUNT,
    roles: ['customer'],
    issuedAt: issuedAtMs / 1000,
    ...(sessionId ? { sessionId } : {}),
  }) as Principal;
const accountKey = userV1.revokedBeforeKey(PREFIX, ACCOUNT);
const sessionKey = userV1.revokedSessionKey(PREFIX, ACCOUNT, 's1');

describe('TokenRevocationCopy: the revocation list in memory', () => {
  let now = 1_000_000;
  const copy = () => new TokenRevocationCopy(PREFIX, () => now);
  const live = async (c: TokenRevocationCopy, found: [string, number, number][] = []) =>
    c.subscribed(async () =>
      found.map(([key, beforeMs, expireAtMs]) => [key, { beforeMs, expireAtMs }]),
    );

  beforeEach(() => (now = 1_000_000));

  it('answers nothing until subscribed and loaded (the caller reads Redis)', async () => {
    const c = copy();
    expect(c.known(principal(5))).toBeUndefined();
    c.onMessage(userV1.revocationMessage(accountKey, 10, now + 1000));
    expect(c.known(principal(5))).toBeUndefined();
    await live(c);
    expect(c.known(principal(5))).toBe(true);
    expect(c.known(principal(11))).toBe(false);
  });

  it('applies the scan and the announcements, the later instant winning, whatever their order', async () => {
    const c = copy();
    await live(c, [[sessionKey, 50, now + 1000]]);
    expect(c.known(principal(40, 's1'))).toBe(true);
    expect(c.known(principal(40, 's2'))).toBe(false);
    expect(c.known(principal(60, 's1'))).toBe(false);
    c.onMessage(userV1.revocationMessage(sessionKey, 70, now + 1000));
    c.onMessage(userV1.revocationMessage(sessionKey, 30, now + 1000)); // late, older: ignored
    expect(c.known(principal(60, 's1'))).toBe(true);
    c.onMessage('not an announcement');
    expect(c.size).toBe(1);
  });

  it('stops answering when the subscription drops, and a load of an older subscription is void', async () => {
    const c = copy();
    await live(c);
    c.disconnected();
    expect(c.known(principal(5))).toBeUndefined();
    // a load that was under way when the connection dropped
    let finish: (v: [string, { beforeMs: number; expireAtMs: number }][]) => void = () => {};
    const stale = c.subscribed(() => new Promise((r) => (finish = r)));
    c.disconnected();
    finish([]);
    await stale;
    expect(c.isLive).toBe(false);
  });

  it('forgets entries once they expire', async () => {
    const c = copy();
    await live(c, [[accountKey, 10, now + 100]]);
    expect(c.known(principal(5))).toBe(true);
    now += 100;
    expect(c.known(principal(5))).toBe(false);
    c.merge([]);
    expect(c.size).toBe(0);
  });
});

describe('the channel messages of the contract', () => {
  it('round-trip', () => {
    expect(userV1.parseRevocationMessage(userV1.revocationMessage('a b:{c}', 1, 2))).toEqual({
      key: 'a b:{c}',
      beforeMs: 1,
      expireAtMs: 2,
    });
    expect(userV1.parseRevocationMessage('1 x k')).toBeUndefined();
    expect(userV1.parseRevocationMessage('12')).toBeUndefined();
  });
});
