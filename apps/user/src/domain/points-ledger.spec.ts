import {
  balance,
  earn,
  emptyAccount,
  expire,
  redeem,
  refundRedemption,
  revokeEarn,
  type PointsAccount,
} from './points-ledger';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000);
const earnAt = (acc: PointsAccount, ref: string, points: number, on: number, expiresOn: number) =>
  earn(acc, { lotId: `lot-${ref}`, ref, points, now: day(on), expiresAt: day(expiresOn) }).account;
const sum = (acc: PointsAccount) => acc.entries.reduce((a, e) => a + e.points, 0);

describe('points ledger', () => {
  it('earns once per reference, even when the event is delivered twice', () => {
    let acc = earnAt(emptyAccount(), 'order-1', 100, 0, 365);
    const again = earn(acc, {
      lotId: 'lot-dup',
      ref: 'order-1',
      points: 100,
      now: day(1),
      expiresAt: day(366),
    });
    expect(again.entries).toEqual([]);
    acc = again.account;
    expect(balance(acc, day(1))).toBe(100);
    expect(acc.entries).toEqual([
      {
        type: 'EARN',
        points: 100,
        lotId: 'lot-order-1',
        ref: 'order-1',
        at: day(0),
        balanceAfter: 100,
      },
    ]);
  });

  it('spends the earliest-expiring lot first', () => {
    let acc = earnAt(emptyAccount(), 'late', 100, 0, 300);
    acc = earnAt(acc, 'soon', 50, 1, 100);
    const r = redeem(acc, { ref: 'r1', points: 80, now: day(2) });
    expect(r.entries.map((e) => [e.lotId, e.points, e.balanceAfter])).toEqual([
      ['lot-soon', -50, 100],
      ['lot-late', -30, 70],
    ]);
    expect(balance(r.account, day(2))).toBe(70);
  });

  it('never goes negative', () => {
    const acc = earnAt(emptyAccount(), 'o', 30, 0, 10);
    expect(() => redeem(acc, { ref: 'r', points: 31, now: day(1) })).toThrow(
      expect.objectContaining({
        code: 'POINTS_INSUFFICIENT',
        details: { available: 30, requested: 31 },
      }),
    );
    expect(() => redeem(acc, { ref: 'r', points: 10, now: day(10) })).toThrow(
      expect.objectContaining({ code: 'POINTS_INSUFFICIENT' }),
    );
  });

  it('expires lots by date with an auditable entry', () => {
    let acc = earnAt(emptyAccount(), 'a', 40, 0, 10);
    acc = earnAt(acc, 'b', 60, 5, 30);
    const r = expire(acc, day(10));
    expect(r.entries).toEqual([
      {
        type: 'EXPIRE',
        points: -40,
        lotId: 'lot-a',
        ref: 'expiry:lot-a',
        at: day(10),
        balanceAfter: 60,
      },
    ]);
    expect(expire(r.account, day(11)).entries).toEqual([]);
  });

  it('refunds a redemption to its lots once, expiring what came back to an expired lot', () => {
    let acc = earnAt(emptyAccount(), 'a', 50, 0, 10);
    acc = earnAt(acc, 'b', 50, 0, 100);
    acc = redeem(acc, { ref: 'r', points: 70, now: day(1) }).account;
    const refunded = refundRedemption(acc, { ref: 'r', now: day(20) });
    expect(refunded.entries.map((e) => [e.type, e.lotId, e.points])).toEqual([
      ['REDEMPTION_REFUND', 'lot-a', 50],
      ['REDEMPTION_REFUND', 'lot-b', 20],
      ['EXPIRE', 'lot-a', -50],
    ]);
    expect(balance(refunded.account, day(20))).toBe(50);
    expect(refundRedemption(refunded.account, { ref: 'r', now: day(21) }).entries).toEqual([]);
  });

  it('revokes only the unspent points of a refunded order', () => {
    let acc = earnAt(emptyAccount(), 'order-9', 100, 0, 365);
    acc = redeem(acc, { ref: 'r', points: 30, now: day(1) }).account;
    const r = revokeEarn(acc, { ref: 'order-9', now: day(2) });
    expect(r.entries.map((e) => [e.type, e.points, e.balanceAfter])).toEqual([['REVOKE', -70, 0]]);
    expect(revokeEarn(r.account, { ref: 'order-9', now: day(3) }).entries).toEqual([]);
  });

  it.each([0, -5, 1.5])('rejects %p points', (points) => {
    expect(() => earnAt(emptyAccount(), 'x', points, 0, 1)).toThrow(
      expect.objectContaining({ code: 'POINTS_AMOUNT_INVALID' }),
    );
  });

  it('keeps its invariants under random operation sequences', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    let acc = emptyAccount();
    let t = 0;
    for (let i = 0; i < 400; i++) {
      t += rnd(5);
      const op = rnd(5);
      try {
        if (op === 0) acc = earnAt(acc, `o${rnd(60)}`, 1 + rnd(200), t, t + 1 + rnd(60));
        else if (op === 1)
          acc = redeem(acc, { ref: `r${i}`, points: 1 + rnd(150), now: day(t) }).account;
        else if (op === 2)
          acc = refundRedemption(acc, { ref: `r${rnd(i + 1)}`, now: day(t) }).account;
        else if (op === 3) acc = revokeEarn(acc, { ref: `o${rnd(60)}`, now: day(t) }).account;
        else acc = expire(acc, day(t)).account;
      } catch (e) {
        expect((e as { code: string }).code).toMatch(/^POINTS_/);
      }
      acc.lots.forEach((l) => {
        expect(l.remaining).toBeGreaterThanOrEqual(0);
        expect(l.remaining).toBeLessThanOrEqual(l.points);
      });
      const swept = expire(acc, day(t)).account;
      expect(balance(swept, day(t))).toBeGreaterThanOrEqual(0);
      expect(sum(swept)).toBe(balance(swept, day(t)));
    }
  });
});
