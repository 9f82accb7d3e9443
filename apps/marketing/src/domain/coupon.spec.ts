import {
  claim,
  type Coupon,
  type CouponTemplate,
  couponCode,
  issuable,
  normaliseCouponCode,
  redeem,
  release,
  reserve,
} from './coupon';

const t: CouponTemplate = {
  id: 't',
  name: 'Double 11',
  promotionId: 'p',
  totalLimit: 3,
  perUserLimit: 1,
  validFrom: new Date('2026-11-01T00:00:00Z'),
  validTo: new Date('2026-11-12T00:00:00Z'),
};
const now = new Date('2026-11-11T10:00:00Z');
const issued = (code = 'ABCDE-FGHJK'): Coupon => ({
  code,
  templateId: 't',
  ownerId: null,
  status: 'ISSUED',
  orderId: null,
});

describe('coupon codes', () => {
  it('are ten unambiguous characters with a check character that catches typos', () => {
    const code = couponCode(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}$/);
    expect(normaliseCouponCode(code.toLowerCase().replace('-', ' '))).toBe(code);
    const typo = code.slice(0, 2) + (code[2] === 'A' ? 'B' : 'A') + code.slice(3);
    expect(normaliseCouponCode(typo)).toBeNull();
    const swapped = code[1] + code[0] + code.slice(2);
    if (code[0] !== code[1]) expect(normaliseCouponCode(swapped)).toBeNull();
    expect(normaliseCouponCode('O0I1O-0I1O0')).toBeNull();
  });
});

describe('coupon life cycle', () => {
  it('issues within the total limit', () => {
    expect(issuable(t, 1, 2)).toBe(2);
    expect(() => issuable(t, 2, 2)).toThrow(
      expect.objectContaining({ code: 'COUPON_LIMIT_REACHED' }),
    );
  });

  it('claims within the per-user limit; a second claim by the owner is the same claim', () => {
    const c = claim(issued(), t, 'u1', 0, now);
    expect(c).toMatchObject({ status: 'CLAIMED', ownerId: 'u1' });
    expect(claim(c, t, 'u1', 1, now)).toBe(c);
    expect(() => claim(c, t, 'u2', 0, now)).toThrow(
      expect.objectContaining({ code: 'COUPON_TAKEN' }),
    );
    expect(() => claim(issued(), t, 'u1', 1, now)).toThrow(
      expect.objectContaining({ code: 'COUPON_USER_LIMIT' }),
    );
    expect(() => claim(issued(), t, 'u3', 0, t.validTo)).toThrow(
      expect.objectContaining({ code: 'COUPON_EXPIRED' }),
    );
  });

  it('is reserved by one order, redeemed on payment or returned on cancel — each idempotent', () => {
    const mine = claim(issued(), t, 'u1', 0, now);
    const held = reserve(mine, t, 'u1', 'o1', now);
    expect(reserve(held, t, 'u1', 'o1', now)).toBe(held);
    expect(() => reserve(held, t, 'u1', 'o2', now)).toThrow(
      expect.objectContaining({ code: 'COUPON_IN_USE' }),
    );
    expect(() => reserve(mine, t, 'u2', 'o3', now)).toThrow(
      expect.objectContaining({ code: 'COUPON_NOT_OWNED' }),
    );
    expect(() => reserve(mine, t, 'u1', 'o3', new Date('2026-10-01T00:00:00Z'))).toThrow(
      expect.objectContaining({ code: 'COUPON_NOT_YET_VALID' }),
    );
    const back = release(held, 'o1');
    expect(back).toMatchObject({ status: 'CLAIMED', orderId: null });
    expect(release(back, 'o1')).toBe(back);
    const used = redeem(reserve(back, t, 'u1', 'o4', now), 'o4');
    expect(used.status).toBe('REDEEMED');
    expect(redeem(used, 'o4')).toBe(used);
    expect(release(used, 'o4')).toBe(used);
    expect(() => redeem(used, 'o5')).toThrow(
      expect.objectContaining({ code: 'COUPON_NOT_RESERVED' }),
    );
  });
});
