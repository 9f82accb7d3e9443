import {
  assertMayAddPasskey,
  assertPasskeyChallengeOpen,
  byNewest,
  MAX_PASSKEYS,
  needsRecoveryCodes,
  nextSignCount,
  type Passkey,
  type PasskeyChallenge,
  passkeyName,
  validPasskeyName,
} from './passkey';

const NOW = new Date('2026-03-01T10:00:00Z');
const ACCOUNT = '0190b000-0000-7000-8000-000000000001';

const challenge = (over: Partial<PasskeyChallenge> = {}): PasskeyChallenge => ({
  id: 'c1',
  ceremony: 'REGISTRATION',
  accountId: ACCOUNT,
  sessionId: 's1',
  mfaChallengeId: null,
  expiresAt: new Date(NOW.getTime() + 60_000),
  usedAt: null,
  ...over,
});

describe('passkey names', () => {
  it('defaults an empty name to "Passkey <n>", n counting this one', () => {
    expect(passkeyName('', 1)).toBe('Passkey 1');
    expect(passkeyName(undefined, 3)).toBe('Passkey 3');
    expect(passkeyName('   ', 2)).toBe('Passkey 2');
  });

  it('trims and keeps 1 to 60 characters, counted as code points', () => {
    expect(passkeyName('  iPhone 15  ', 1)).toBe('iPhone 15');
    expect(validPasskeyName('我的钥匙')).toBe('我的钥匙');
    expect(validPasskeyName('🔑'.repeat(60))).toHaveLength(120); // 60 code points, 120 units
    expect(validPasskeyName('👩‍💻 laptop')).toBe('👩‍💻 laptop'); // the emoji's zero-width joiner
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['61 characters', 'x'.repeat(61)],
    ['a line break', 'a\nb'],
    ['a control character', 'a\u0007b'],
    ['a bidi override', 'evil\u202Egnp.exe'],
    ['a zero-width space', 'a\u200Bb'],
  ])('refuses %s (PASSKEY_NAME_INVALID)', (_what, name) => {
    expect(() => validPasskeyName(name)).toThrow(
      expect.objectContaining({ code: 'PASSKEY_NAME_INVALID', kind: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('passkey challenges', () => {
  const expected = { ceremony: 'REGISTRATION' as const, accountId: ACCOUNT, sessionId: 's1' };

  it('accepts an open challenge issued for this ceremony, account and session', () => {
    expect(assertPasskeyChallengeOpen(challenge(), expected, NOW).id).toBe('c1');
    // ids compare case-insensitively (uuids)
    expect(
      assertPasskeyChallengeOpen(
        challenge(),
        { ...expected, accountId: ACCOUNT.toUpperCase() },
        NOW,
      ).id,
    ).toBe('c1');
  });

  it.each<[string, PasskeyChallenge | null, object?]>([
    ['unknown', null],
    ['used', challenge({ usedAt: NOW })],
    ['expired', challenge({ expiresAt: NOW })],
    ['for another ceremony', challenge({ ceremony: 'SIGN_IN' })],
    ['for another account', challenge({ accountId: '0190b000-0000-7000-8000-000000000002' })],
    ['of another session', challenge({ sessionId: 's2' })],
  ])('refuses a challenge that is %s (PASSKEY_CHALLENGE_INVALID)', (_what, c) => {
    expect(() => assertPasskeyChallengeOpen(c, expected, NOW)).toThrow(
      expect.objectContaining({ code: 'PASSKEY_CHALLENGE_INVALID', kind: 'FAILED_PRECONDITION' }),
    );
  });

  it('binds a second-factor challenge to its MFA challenge; sign-in failures are 401s', () => {
    const c = challenge({ ceremony: 'SECOND_FACTOR', sessionId: null, mfaChallengeId: 'm1' });
    const want = { ceremony: 'SECOND_FACTOR' as const, accountId: ACCOUNT };
    expect(assertPasskeyChallengeOpen(c, { ...want, mfaChallengeId: 'm1' }, NOW)).toBe(c);
    expect(() => assertPasskeyChallengeOpen(c, { ...want, mfaChallengeId: 'm2' }, NOW)).toThrow(
      expect.objectContaining({ code: 'PASSKEY_CHALLENGE_INVALID', kind: 'UNAUTHENTICATED' }),
    );
  });

  it('lets any account answer a sign-in challenge (it names none)', () => {
    const c = challenge({ ceremony: 'SIGN_IN', accountId: null, sessionId: null });
    expect(assertPasskeyChallengeOpen(c, { ceremony: 'SIGN_IN' }, NOW)).toBe(c);
    expect(() =>
      assertPasskeyChallengeOpen(c, { ceremony: 'STEP_UP', accountId: ACCOUNT }, NOW),
    ).toThrow(expect.objectContaining({ code: 'PASSKEY_CHALLENGE_INVALID' }));
  });
});

describe('the signature counter', () => {
  it('must go up', () => {
    expect(nextSignCount(0, 1)).toBe(1);
    expect(nextSignCount(7, 9)).toBe(9);
  });

  it('may stay 0 for an authenticator that keeps none (synced passkeys)', () => {
    expect(nextSignCount(0, 0)).toBe(0);
  });

  it('refuses a counter that stands still or goes back: a cloned authenticator', () => {
    expect(nextSignCount(5, 5)).toBeNull();
    expect(nextSignCount(5, 3)).toBeNull();
    expect(nextSignCount(5, 0)).toBeNull();
    expect(nextSignCount(0, -1)).toBeNull();
    expect(nextSignCount(0, 1.5)).toBeNull();
  });
});

describe('limits and recovery', () => {
  it(`allows at most ${MAX_PASSKEYS} passkeys`, () => {
    expect(() => assertMayAddPasskey(MAX_PASSKEYS - 1)).not.toThrow();
    expect(() => assertMayAddPasskey(MAX_PASSKEYS)).toThrow(
      expect.objectContaining({ code: 'PASSKEY_LIMIT_REACHED' }),
    );
  });

  it('issues recovery codes with the first passkey only when none are left', () => {
    expect(needsRecoveryCodes(0, 0)).toBe(true);
    expect(needsRecoveryCodes(0, 3)).toBe(false);
    expect(needsRecoveryCodes(1, 0)).toBe(false);
  });

  it('lists the newest first', () => {
    const p = (id: string, at: string) => ({ id, createdAt: new Date(at) }) as unknown as Passkey;
    const list = [p('a', '2026-01-01'), p('c', '2026-02-01'), p('b', '2026-02-01')];
    expect(list.sort(byNewest).map((x) => x.id)).toEqual(['b', 'c', 'a']);
  });
});
