import { Money } from '@emporia/money';
import {
  assertStepUp,
  DEFAULT_STEP_UP_POLICY,
  isLargeOrder,
  isNewAddress,
  isRecentSecondFactor,
  type StepUpCheck,
  stepUpRequired,
} from './step-up';

const NOW = new Date('2026-12-05T10:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const MIN = 60_000;
const policy = DEFAULT_STEP_UP_POLICY;
const cny = (minor: number) => Money.of(minor, 'CNY');

describe('the large-order step-up rule', () => {
  it('defaults to ¥5,000.00, an address saved within 30 minutes, a step-up within 5', () => {
    expect(policy).toEqual({ minTotalMinor: 500_000, newAddressMs: 30 * MIN, windowMs: 5 * MIN });
  });

  it.each([
    [499_999, false],
    [500_000, true],
    [500_001, true],
  ])('goods worth %s minor units are a large order: %s (the threshold itself is)', (v, large) => {
    expect(isLargeOrder(cny(v), policy)).toBe(large);
  });

  it('is off with a threshold of 0', () => {
    expect(isLargeOrder(cny(99_999_999), { ...policy, minTotalMinor: 0 })).toBe(false);
  });

  it.each([
    ['typed in at checkout', { kind: 'TYPED' as const }, true],
    ['saved just now', { kind: 'BOOK' as const, createdAt: NOW }, true],
    ['saved 29:59.999 ago', { kind: 'BOOK' as const, createdAt: ago(30 * MIN - 1) }, true],
    ['saved exactly 30 minutes ago', { kind: 'BOOK' as const, createdAt: ago(30 * MIN) }, false],
    ['saved a day ago', { kind: 'BOOK' as const, createdAt: ago(1440 * MIN) }, false],
    ['saved at an unknown time', { kind: 'BOOK' as const, createdAt: null }, true],
  ])('an address %s is new: %s', (_what, source, isNew) => {
    expect(isNewAddress(source, NOW, policy)).toBe(isNew);
  });

  it('with a new-address window of 0, only typed-in addresses are new', () => {
    const none = { ...policy, newAddressMs: 0 };
    expect(isNewAddress({ kind: 'BOOK', createdAt: NOW }, NOW, none)).toBe(false);
    expect(isNewAddress({ kind: 'TYPED' }, NOW, none)).toBe(true);
  });

  it.each([
    ['never', null, false],
    ['just now', NOW, true],
    ['4:59.999 ago', ago(5 * MIN - 1), true],
    ['exactly 5 minutes ago', ago(5 * MIN), false],
    ['an hour ago', ago(60 * MIN), false],
    ['30 s ahead (the user service clock ahead)', ago(-30_000), true],
    ['2 minutes ahead', ago(-2 * MIN), false],
  ])('a second factor proved %s counts: %s', (_what, at, recent) => {
    expect(isRecentSecondFactor(at, NOW, policy)).toBe(recent);
  });

  describe('all together', () => {
    const check = (over: Partial<StepUpCheck> = {}): StepUpCheck => ({
      value: cny(500_000),
      address: { kind: 'TYPED' },
      secondFactorAt: null,
      now: NOW,
      ...over,
    });

    it('asks a large order to a new address for a recent step-up, and only that', () => {
      expect(stepUpRequired(check(), policy)).toBe(true);
      expect(stepUpRequired(check({ value: cny(499_999) }), policy)).toBe(false);
      expect(
        stepUpRequired(check({ address: { kind: 'BOOK', createdAt: ago(30 * MIN) } }), policy),
      ).toBe(false);
      expect(
        stepUpRequired(check({ address: { kind: 'BOOK', createdAt: ago(29 * MIN) } }), policy),
      ).toBe(true);
      expect(stepUpRequired(check({ secondFactorAt: ago(5 * MIN - 1) }), policy)).toBe(false);
      expect(stepUpRequired(check({ secondFactorAt: ago(5 * MIN) }), policy)).toBe(true);
    });

    it('refuses with FAILED_PRECONDITION STEP_UP_REQUIRED, saying where the address came from', () => {
      expect(() => assertStepUp(check(), policy)).toThrow(
        expect.objectContaining({
          kind: 'FAILED_PRECONDITION',
          code: 'STEP_UP_REQUIRED',
          message: expect.stringContaining('typed in at checkout'),
        }),
      );
      expect(() =>
        assertStepUp(check({ address: { kind: 'BOOK', createdAt: ago(MIN) } }), policy),
      ).toThrow(expect.objectContaining({ message: expect.stringContaining('added moments ago') }));
      expect(() => assertStepUp(check({ secondFactorAt: NOW }), policy)).not.toThrow();
    });
  });
});
