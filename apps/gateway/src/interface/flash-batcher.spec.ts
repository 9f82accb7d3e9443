import { status as GrpcStatus } from '@grpc/grpc-js';
import type { marketingV1 } from '@emporia/contracts';
import { newContext, RemoteCallError, type RequestContext } from '@emporia/platform';
import type { MarketingBackend } from '../application/ports';
import { FlashBatcher } from './flash-batcher';
import type { FlashEdge } from './flash-edge';

const SALE = '0190a000-0000-7000-8000-00000000f1a1';
const OTHER = '0190a000-0000-7000-8000-00000000f1a2';
type Attempt = marketingV1.AttemptFlashPurchaseRequest;

/** A marketing that wins every attempt with a token naming its buyer, recording its calls. */
function fakeMarketing(opts: { batches?: 'ok' | 'unimplemented' | 'fail' } = {}) {
  const calls: { method: string; attempts: Attempt[]; ctx?: RequestContext }[] = [];
  const answer = (a: Attempt) =>
    a.quantity > 10
      ? {
          result: '',
          token: '',
          expiresAt: '',
          error: { status: GrpcStatus.INVALID_ARGUMENT, code: 'QUANTITY_INVALID', message: 'no' },
        }
      : { result: 'WON', token: `t-${a.accountId}`, expiresAt: 'x' };
  const marketing = {
    attemptFlashPurchase: async (_ctx: unknown, a: Attempt) => {
      calls.push({ method: 'single', attempts: [a] });
      return answer(a);
    },
    tryFlashPurchases: async (ctx: RequestContext, r: { attempts: Attempt[] }) => {
      calls.push({ method: 'batch', attempts: r.attempts, ctx });
      if (opts.batches === 'unimplemented')
        throw new RemoteCallError('marketing', {
          status: GrpcStatus.UNIMPLEMENTED,
          code: 'UNIMPLEMENTED',
          message: 'unknown method',
          details: {},
        });
      if (opts.batches === 'fail') throw new Error('boom');
      return { results: r.attempts.map(answer) };
    },
  } as unknown as MarketingBackend;
  return { marketing, calls };
}

const attempt = (accountId: string, saleId = SALE): Attempt => ({ saleId, accountId, quantity: 1 });

describe('FlashBatcher: the attempts of one sale sent together share one call', () => {
  it('sends the attempts of a sale made in one turn in one call, each getting its own result', async () => {
    const { marketing, calls } = fakeMarketing();
    const b = new FlashBatcher(3);
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((id) => b.attempt(marketing, newContext(), attempt(id))),
    );
    expect(results.map((r) => r.token)).toEqual(['t-a', 't-b', 't-c', 't-d', 't-e']);
    // at most 3 per call
    expect(calls.map((c) => [c.method, c.attempts.length])).toEqual([
      ['batch', 3],
      ['batch', 2],
    ]);
  });

  it("the shared call goes in a recorded attempt's trace when one is, else the first attempt's", async () => {
    const { marketing, calls } = fakeMarketing();
    const b = new FlashBatcher(8);
    const unsampled = { ...newContext(), sampled: false };
    const recorded = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    await Promise.all([
      b.attempt(marketing, unsampled, attempt('a')),
      b.attempt(marketing, recorded, attempt('b')),
    ]);
    const others = [
      { ...newContext(), sampled: false },
      { ...newContext(), sampled: false },
    ];
    await Promise.all(others.map((ctx, i) => b.attempt(marketing, ctx, attempt(`c${i}`))));
    expect(calls.map((c) => c.ctx)).toEqual([recorded, others[0]]);
  });

  it('fails an attempt marketing answered with its own error alone, as a single call would', async () => {
    const { marketing } = fakeMarketing();
    const b = new FlashBatcher(8);
    const [ok, bad] = await Promise.allSettled([
      b.attempt(marketing, newContext(), attempt('a')),
      b.attempt(marketing, newContext(), { ...attempt('b'), quantity: 11 }),
    ]);
    expect(ok).toEqual({
      status: 'fulfilled',
      value: { result: 'WON', token: 't-a', expiresAt: 'x' },
    });
    expect(bad.status).toBe('rejected');
    const err = (bad as PromiseRejectedResult).reason as RemoteCallError;
    expect(err).toBeInstanceOf(RemoteCallError);
    expect(err.remote).toEqual({
      status: GrpcStatus.INVALID_ARGUMENT,
      code: 'QUANTITY_INVALID',
      message: 'no',
      details: {},
    });
  });

  it('keeps sales apart; a lone attempt goes as AttemptFlashPurchase; maxBatch 1 never batches', async () => {
    const { marketing, calls } = fakeMarketing();
    const b = new FlashBatcher(64);
    await Promise.all([
      b.attempt(marketing, newContext(), attempt('a')),
      b.attempt(marketing, newContext(), attempt('b')),
      b.attempt(marketing, newContext(), attempt('c', OTHER)),
    ]);
    expect(calls.map((c) => [c.method, c.attempts.map((a) => a.saleId)])).toEqual([
      ['batch', [SALE, SALE]],
      ['single', [OTHER]],
    ]);
    calls.length = 0;
    const single = new FlashBatcher(1);
    await Promise.all(['a', 'b'].map((id) => single.attempt(marketing, newContext(), attempt(id))));
    expect(calls.map((c) => c.method)).toEqual(['single', 'single']);
  });

  it('falls back to single calls when marketing does not know the method (nothing was decided)', async () => {
    const { marketing, calls } = fakeMarketing({ batches: 'unimplemented' });
    const b = new FlashBatcher(64);
    const results = await Promise.all(
      ['a', 'b'].map((id) => b.attempt(marketing, newContext(), attempt(id))),
    );
    expect(results.map((r) => r.token)).toEqual(['t-a', 't-b']);
    expect(calls.map((c) => c.method)).toEqual(['batch', 'single', 'single']);
    // and single calls from then on (for a while)
    await Promise.all(['c', 'd'].map((id) => b.attempt(marketing, newContext(), attempt(id))));
    expect(calls.map((c) => c.method).slice(3)).toEqual(['single', 'single']);
  });

  it('fails each attempt of a failed call with its error', async () => {
    const { marketing } = fakeMarketing({ batches: 'fail' });
    const b = new FlashBatcher(64);
    const settled = await Promise.allSettled(
      ['a', 'b'].map((id) => b.attempt(marketing, newContext(), attempt(id))),
    );
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('FlashBatcher with edge decisions (FLASH_DECISIONS=edge)', () => {
  /** An edge that decides what `decide` says per buyer (undefined: the pool does not know it). */
  const fakeEdge = (
    decide: (a: Attempt) => marketingV1.AttemptFlashPurchaseResponse | undefined | 'throw',
  ) => {
    const calls: Attempt[][] = [];
    const edge = {
      decide: async (_sale: string, batch: readonly Attempt[]) => {
        calls.push([...batch]);
        const out = batch.map(decide);
        if (out.includes('throw')) throw new Error('redis: connection lost');
        return out;
      },
    } as unknown as FlashEdge;
    return { edge, calls };
  };
  const won = (a: Attempt) => ({ result: 'WON', token: `edge-${a.accountId}`, expiresAt: 'y' });

  it('a batch the pool decides never reaches marketing: one edge call, each its own answer', async () => {
    const { marketing, calls } = fakeMarketing();
    const { edge, calls: edgeCalls } = fakeEdge(won);
    const b = new FlashBatcher(32, undefined, edge);
    const results = await Promise.all(
      ['a', 'b', 'c'].map((id) => b.attempt(marketing, newContext(), attempt(id))),
    );
    expect(results.map((r) => r.token)).toEqual(['edge-a', 'edge-b', 'edge-c']);
    expect(edgeCalls.map((c) => c.length)).toEqual([3]);
    expect(calls).toEqual([]);
  });

  it('with FLASH_ATTEMPT_BATCH_MAX=1 each attempt is still decided at the edge, alone', async () => {
    const { marketing, calls } = fakeMarketing();
    const { edge, calls: edgeCalls } = fakeEdge(won);
    const b = new FlashBatcher(1, undefined, edge);
    await Promise.all(['a', 'b'].map((id) => b.attempt(marketing, newContext(), attempt(id))));
    expect(edgeCalls.map((c) => c.length)).toEqual([1, 1]);
    expect(calls).toEqual([]);
  });

  it('what the pool does not know (a sale not loaded) goes on to marketing, the rest answered by the edge', async () => {
    const { marketing, calls } = fakeMarketing();
    const { edge } = fakeEdge((a) =>
      a.accountId === 'b' || a.accountId === 'c' ? undefined : won(a),
    );
    const b = new FlashBatcher(32, undefined, edge);
    const results = await Promise.all(
      ['a', 'b', 'c'].map((id) => b.attempt(marketing, newContext(), attempt(id))),
    );
    expect(results.map((r) => r.token)).toEqual(['edge-a', 't-b', 't-c']);
    expect(calls.map((c) => [c.method, c.attempts.map((x) => x.accountId)])).toEqual([
      ['batch', ['b', 'c']],
    ]);
  });

  it('an edge call that fails (Redis) sends the whole batch to marketing, which decides it', async () => {
    const { marketing, calls } = fakeMarketing();
    const { edge } = fakeEdge(() => 'throw');
    const b = new FlashBatcher(32, undefined, edge);
    const results = await Promise.all(
      ['a', 'b'].map((id) => b.attempt(marketing, newContext(), attempt(id))),
    );
    expect(results.map((r) => r.token)).toEqual(['t-a', 't-b']);
    expect(calls.map((c) => c.method)).toEqual(['batch']);
  });

  it("marketing's own refusal of attempts the edge left to it is theirs alone", async () => {
    const { marketing } = fakeMarketing();
    const { edge } = fakeEdge((a) => (a.quantity > 10 ? undefined : won(a)));
    const b = new FlashBatcher(32, undefined, edge);
    const [ok, ...bad] = await Promise.allSettled([
      b.attempt(marketing, newContext(), attempt('a')),
      b.attempt(marketing, newContext(), { ...attempt('b'), quantity: 11 }),
      b.attempt(marketing, newContext(), { ...attempt('c'), quantity: 12 }),
    ]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: { token: 'edge-a' } });
    for (const r of bad)
      expect(r).toMatchObject({
        status: 'rejected',
        reason: { remote: { code: 'QUANTITY_INVALID' } },
      });
  });
});
