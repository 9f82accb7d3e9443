import { type CheckoutAttemptState, decideRetry, leaseExpired } from './checkout-attempt';

const LEASE = 15_000;
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const record = (over: Partial<CheckoutAttemptState> = {}): CheckoutAttemptState => ({
  accountId: 'a',
  requestHash: 'h',
  status: 'STARTED',
  errorCode: null,
  errorMessage: null,
  heartbeatAt: t0,
  ...over,
});
const same = { accountId: 'a', requestHash: 'h' };

describe('a repeated checkout key', () => {
  it('while the attempt is alive: still running, retry when its lease would run out', () => {
    expect(decideRetry(record(), same, at(1000), LEASE)).toEqual({
      kind: 'IN_PROGRESS',
      retryAfterMs: 14_000,
    });
    expect(decideRetry(record(), same, at(LEASE - 1), LEASE).kind).toBe('IN_PROGRESS');
  });

  it('once the attempt went silent for a whole lease: taken over, whatever it got to', () => {
    expect(leaseExpired(t0, at(LEASE), LEASE)).toBe(true);
    expect(decideRetry(record(), same, at(LEASE), LEASE)).toEqual({ kind: 'TAKE_OVER' });
    // a heartbeat moves the lease on
    expect(decideRetry(record({ heartbeatAt: at(10_000) }), same, at(LEASE), LEASE).kind).toBe(
      'IN_PROGRESS',
    );
    // an attempt that gave up its lease (its compensation failed: heartbeat set a lease back)
    // is taken over at once
    expect(decideRetry(record({ heartbeatAt: at(-LEASE) }), same, at(0), LEASE)).toEqual({
      kind: 'TAKE_OVER',
    });
  });

  it('an abandoned checkout (compensated, or swept) runs again: never a refusal for ever', () => {
    const abandoned = record({
      status: 'ABANDONED',
      errorCode: 'CHECKOUT_ABANDONED',
      errorMessage: 'the checkout was interrupted',
    });
    expect(decideRetry(abandoned, same, at(1), LEASE)).toEqual({ kind: 'TAKE_OVER' });
    expect(decideRetry(abandoned, same, at(86_400_000), LEASE)).toEqual({ kind: 'TAKE_OVER' });
  });

  it('a placed order or a refusal is the answer again', () => {
    expect(decideRetry(record({ status: 'PLACED' }), same, at(LEASE * 9), LEASE)).toEqual({
      kind: 'PLACED',
    });
    expect(
      decideRetry(
        record({ status: 'FAILED', errorCode: 'STOCK_INSUFFICIENT', errorMessage: 'short' }),
        same,
        at(LEASE * 9),
        LEASE,
      ),
    ).toEqual({ kind: 'FAILED', code: 'STOCK_INSUFFICIENT', message: 'short' });
  });

  it('another request or another account with the key is refused, whatever the state', () => {
    for (const status of ['STARTED', 'PLACED', 'FAILED', 'ABANDONED'] as const) {
      expect(
        decideRetry(record({ status }), { accountId: 'a', requestHash: 'x' }, at(LEASE), LEASE),
      ).toEqual({ kind: 'REUSED' });
      expect(
        decideRetry(record({ status }), { accountId: 'b', requestHash: 'h' }, at(LEASE), LEASE),
      ).toEqual({ kind: 'REUSED' });
    }
  });
});
