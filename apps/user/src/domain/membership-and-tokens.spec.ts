import { Money } from '@emporia/money';
import { evaluateTier, rollingSpend, validateTiers, type TierDefinition } from './membership-tier';
import { newFamily, revoke, rotate } from './refresh-token-family';

const cny = (n: number) => Money.of(n, 'CNY');
const TIERS: TierDefinition[] = [
  { code: 'GOLD', name: 'Gold', minSpend: cny(500_000) },
  { code: 'MEMBER', name: 'Member', minSpend: cny(0) },
  { code: 'SILVER', name: 'Silver', minSpend: cny(100_000) },
];

describe('membership tiers', () => {
  it.each([
    [0, 'MEMBER'],
    [99_999, 'MEMBER'],
    [100_000, 'SILVER'],
    [499_999, 'SILVER'],
    [500_000, 'GOLD'],
    [9_000_000, 'GOLD'],
  ])('spend %i reaches %s', (spend, code) => {
    expect(evaluateTier(TIERS, null, cny(spend)).tier.code).toBe(code);
  });

  it('reports upgrades and downgrades against the current tier', () => {
    expect(evaluateTier(TIERS, 'SILVER', cny(600_000)).change).toBe('UPGRADE');
    expect(evaluateTier(TIERS, 'GOLD', cny(150_000))).toMatchObject({
      change: 'DOWNGRADE',
      tier: { code: 'SILVER' },
    });
    expect(evaluateTier(TIERS, 'SILVER', cny(150_000)).change).toBe('NONE');
  });

  it('counts only the last 12 months, nets refunds, never below zero', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const records = [
      { ref: 'old', amount: cny(900_000), at: new Date('2025-05-31T23:59:59Z') },
      { ref: 'a', amount: cny(300_000), at: new Date('2025-06-01T00:00:01Z') },
      { ref: 'b', amount: cny(250_000), at: new Date('2026-05-01T00:00:00Z') },
      { ref: 'b-refund', amount: cny(-100_000), at: new Date('2026-05-10T00:00:00Z') },
      { ref: 'usd', amount: Money.of(999_999, 'USD'), at: new Date('2026-05-10T00:00:00Z') },
      { ref: 'future', amount: cny(1), at: new Date('2026-06-02T00:00:00Z') },
    ];
    expect(rollingSpend(records, now, 'CNY').amountMinor).toBe(450_000);
    expect(rollingSpend([{ ref: 'r', amount: cny(-5), at: now }], now, 'CNY').amountMinor).toBe(0);
  });

  it.each<[TierDefinition[], string]>([
    [[], 'TIERS_EMPTY'],
    [[{ code: 'A', name: 'A', minSpend: cny(10) }], 'TIERS_NO_BASE'],
    [
      [
        { code: 'A', name: 'A', minSpend: cny(0) },
        { code: 'A', name: 'B', minSpend: cny(5) },
      ],
      'TIER_CODE_DUPLICATE',
    ],
    [
      [
        { code: 'A', name: 'A', minSpend: cny(0) },
        { code: 'B', name: 'B', minSpend: cny(0) },
      ],
      'TIER_THRESHOLD_DUPLICATE',
    ],
    [
      [
        { code: 'A', name: 'A', minSpend: cny(0) },
        { code: 'B', name: 'B', minSpend: Money.of(5, 'USD') },
      ],
      'TIERS_MIXED_CURRENCY',
    ],
    [[{ code: 'gold', name: 'A', minSpend: cny(0) }], 'TIER_CODE_INVALID'],
  ])('rejects a bad tier table (%#: %s)', (tiers, code) => {
    expect(() => validateTiers(tiers)).toThrow(expect.objectContaining({ code }));
  });
});

describe('refresh token families', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const later = (ms: number) => new Date(now.getTime() + ms);
  const fam = newFamily({ id: 'f', userId: 'u', tokenId: 't1', now, ttlMs: 30 * 86_400_000 });

  it('rotates: the presented token retires and a new one becomes current', () => {
    const r = rotate(fam, 't1', 't2', later(1000));
    expect(r).toMatchObject({
      outcome: 'ROTATED',
      newTokenId: 't2',
      family: { currentTokenId: 't2', retiredTokenIds: ['t1'] },
    });
  });

  it('revokes the whole family when a rotated-out token is presented again', () => {
    const r1 = rotate(fam, 't1', 't2', later(1000));
    if (r1.outcome !== 'ROTATED') throw new Error('expected rotation');
    const reuse = rotate(r1.family, 't1', 't3', later(2000));
    expect(reuse).toMatchObject({
      outcome: 'REUSE_DETECTED',
      family: { revokedReason: 'REUSE_DETECTED', revokedAt: later(2000) },
    });
    // the legitimate holder's current token is dead too
    expect(() => rotate(reuse.family, 't2', 't4', later(3000))).toThrow(
      expect.objectContaining({ code: 'REFRESH_TOKEN_REVOKED', kind: 'UNAUTHENTICATED' }),
    );
  });

  it('refuses unknown, expired and logged-out tokens', () => {
    expect(() => rotate(fam, 'nope', 't2', later(1))).toThrow(
      expect.objectContaining({ code: 'REFRESH_TOKEN_UNKNOWN' }),
    );
    expect(() => rotate(fam, 't1', 't2', later(31 * 86_400_000))).toThrow(
      expect.objectContaining({ code: 'REFRESH_TOKEN_EXPIRED' }),
    );
    expect(() => rotate(revoke(fam, 'LOGOUT', later(1)), 't1', 't2', later(2))).toThrow(
      expect.objectContaining({ code: 'REFRESH_TOKEN_REVOKED' }),
    );
  });
});
