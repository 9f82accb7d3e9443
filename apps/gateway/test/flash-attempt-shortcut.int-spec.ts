import type { RunningService } from '@emporia/platform';
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { grpcError, startFakeGrpc, testLogger, type FakeService } from '@emporia/testing';
import type { GatewayConfig } from '../src/config';
import { startGateway } from '../src/gateway.app';
import { FlashAttemptShortcut } from '../src/interface/flash-attempt.shortcut';
import { testGatewayConfig } from './support/gateway-config';
import { signer, verifierFor, type Sign } from './support/token-signer';

jest.setTimeout(60_000);

const SOLD_OUT_SALE = '0190a000-0000-7000-8000-00000000f2a1';
const LIMITED_SALE = '0190a000-0000-7000-8000-00000000f2a2';
const OPEN_SALE = '0190a000-0000-7000-8000-00000000f2a3';
const WIN_SALE = '0190a000-0000-7000-8000-00000000f2a4';
const DOWN_SALE = '0190a000-0000-7000-8000-00000000f2a5';
const MISSING_SALE = '0190a000-0000-7000-8000-00000000f2a6';
/** Per-user limit 2, one unit held by every buyer: 2 units are over it, the last one wins. */
const LAST_UNIT_SALE = '0190a000-0000-7000-8000-00000000f2a7';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PER_ACCOUNT = 4;

/**
 * The flash-sale shortcut (src/interface/flash-attempt.shortcut.ts) answers attempts before
 * Fastify runs: its answers must be the fast route's, byte for byte (status,
 * every header but the date and the per-request trace, the problem body but its trace id), its
 * requests counted alike, and every request it may not answer left to Fastify and Nest
 * unchanged, the body it read included.
 */
describe('flash-sale attempts answered from a mark before Fastify (real Redis)', () => {
  let sign: Sign;
  let marketing: FakeService;
  let config: GatewayConfig;
  let gateway: RunningService;
  let answered: jest.SpyInstance;
  let n = 0;

  beforeAll(async () => {
    const keys = await signer();
    sign = keys.sign;
    const verifier = verifierFor(keys.jwks);
    marketing = await startFakeGrpc('marketing', {
      attemptFlashPurchase: (req: { saleId: string; accountId: string; quantity: number }) => {
        if (req.saleId === LAST_UNIT_SALE)
          return req.quantity >= 2
            ? { result: 'LIMIT_REACHED', token: '', expiresAt: '', allowanceLeft: 1 }
            : {
                result: 'WON',
                token: `${LAST_UNIT_SALE}.${req.accountId}`,
                expiresAt: '2026-12-03T10:00:00.000Z',
                allowanceLeft: 0,
              };
        if (req.saleId === WIN_SALE)
          return {
            result: 'WON',
            token: `${WIN_SALE}.${req.accountId}`,
            expiresAt: '2026-12-03T10:00:00.000Z',
          };
        if (req.saleId === DOWN_SALE) throw grpcError(status.UNAVAILABLE, 'DEPENDENCY_UNAVAILABLE');
        if (req.saleId === MISSING_SALE)
          throw grpcError(status.NOT_FOUND, 'FLASH_SALE_NOT_FOUND', 'no such sale');
        return answer(req);
      },
    });
    function answer(req: { saleId: string }) {
      return {
        result:
          req.saleId === SOLD_OUT_SALE
            ? 'SOLD_OUT'
            : req.saleId === LIMITED_SALE
              ? 'LIMIT_REACHED'
              : 'NOT_STARTED',
        token: '',
        expiresAt: '',
      };
    }
    config = await testGatewayConfig('shortcut', {
      MARKETING_GRPC_URL: marketing.url,
      SALE_RATE_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT),
      SALE_RATE_LIMIT_PER_IP: '1000',
      SALE_RATE_LIMIT_WINDOW_MS: '30000',
      FLASH_SOLD_OUT_MARK_MS: '30000',
    });
    gateway = await startGateway(config, testLogger('gateway'), { verifier });
    answered = jest.spyOn(
      FlashAttemptShortcut.prototype as unknown as { answer: () => boolean },
      'answer',
    );
  });

  afterAll(async () => {
    answered?.mockRestore();
    await gateway?.close();
    await marketing?.stop();
  });

  beforeEach(() => answered.mockClear());

  const customer = async () => {
    const sub = `0190a000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
    return { sub, token: await sign(['customer'], { sub }) };
  };
  const attempt = async (
    sale: string,
    token: string,
    opts: { body?: string; query?: string; headers?: Record<string, string> } = {},
  ) => {
    const res = await fetch(
      `${gateway.httpUrl}/v1/flash-sales/${sale}/attempts${opts.query ?? ''}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          ...opts.headers,
        },
        body: opts.body ?? '{"quantity":1}',
      },
    );
    const text = await res.text();
    return { res, text, body: JSON.parse(text) as Record<string, unknown> };
  };
  /** The parts of an answer that must not differ between the two paths. */
  const comparable = (a: Awaited<ReturnType<typeof attempt>>) => ({
    status: a.res.status,
    headers: [...a.res.headers].filter(([k]) => k !== 'date' && k !== 'traceparent'),
    body: { ...a.body, traceId: typeof a.body.traceId },
  });
  const shortcutAnswers = () =>
    answered.mock.results.filter((r) => r.type === 'return' && r.value === true).length;
  const counted = async (status: number) => {
    const text = await (await fetch(`${gateway.opsUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('emporia_http_request_duration_seconds_count{') &&
          l.includes('method="POST"') &&
          l.includes('route="/v1/flash-sales/:id/attempts"') &&
          l.includes(`status="${status}"`),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  };
  /** `emporia_flash_sale_attempts_total{outcome}`: the attempts this gateway answered from a mark. */
  const markAnswers = async (outcome: string) => {
    const text = await (await fetch(`${gateway.opsUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`emporia_flash_sale_attempts_total{outcome="${outcome}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('answers a marked loss as the fast route does, in the caller’s trace, and counts it', async () => {
    const buyer = await customer();
    const soldOutBefore = await markAnswers('sold_out');
    // the first attempt goes to marketing and leaves the mark (the token is now cached too)
    const first = await attempt(SOLD_OUT_SALE, buyer.token);
    expect(first.body.code).toBe('FLASH_SALE_SOLD_OUT');
    expect(shortcutAnswers()).toBe(0);
    // a query string keeps the request off the shortcut: the fast route answers it
    const viaFastify = await attempt(SOLD_OUT_SALE, buyer.token, { query: '?x=1' });
    expect(shortcutAnswers()).toBe(0);
    const before = await counted(409);
    const shortcut = await attempt(SOLD_OUT_SALE, buyer.token, {
      headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` },
    });
    expect(shortcutAnswers()).toBe(1);
    expect(comparable(shortcut)).toEqual(comparable(viaFastify));
    expect(shortcut.res.status).toBe(409);
    expect(shortcut.body).toMatchObject({
      code: 'FLASH_SALE_SOLD_OUT',
      instance: `/v1/flash-sales/${SOLD_OUT_SALE}/attempts`,
      traceId: TRACE,
    });
    expect(shortcut.res.headers.get('traceparent')).toMatch(
      new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`),
    );
    expect(shortcut.res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await counted(409)).toBe(before + 1);
    expect((marketing.calls.get('attemptFlashPurchase') ?? []).length).toBe(1);
    // the mark's answers (the fast route's, the shortcut's) are the gateway's to count, once
    // each; the first was marketing's (it counts what it decides)
    expect((await markAnswers('sold_out')) - soldOutBefore).toBe(2);
  });

  it('answers a buyer’s limit mark too, and the memory limiter’s 429 as the fast route does', async () => {
    const buyer = await customer();
    const limitBefore = await markAnswers('limit');
    expect((await attempt(LIMITED_SALE, buyer.token)).body.code).toBe('FLASH_SALE_LIMIT_REACHED');
    const limited = await attempt(LIMITED_SALE, buyer.token, { body: '{ "quantity" : 2 }' });
    expect(limited.body.code).toBe('FLASH_SALE_LIMIT_REACHED');
    expect(shortcutAnswers()).toBe(1);
    // answers from memory are counted in memory: the memory limiter refuses past the limit
    const answers = [];
    for (let i = 0; i < PER_ACCOUNT; i++) answers.push(await attempt(LIMITED_SALE, buyer.token));
    const viaFastify = await attempt(LIMITED_SALE, buyer.token, { query: '?x=1' });
    const last = answers.at(-1)!;
    // the first attempt was counted in Redis; the limit mark's answers in memory: 1 + 4 of 4
    expect(answers.map((a) => a.res.status)).toEqual([409, 409, 409, 429]);
    expect(viaFastify.res.status).toBe(429);
    expect(comparable(last)).toEqual(comparable(viaFastify));
    expect(last.res.headers.get('retry-after')).toMatch(/^\d+$/);
    // four 409s from the mark; the 429s are no attempt answered
    expect((await markAnswers('limit')) - limitBefore).toBe(4);
  });

  it('sends an attempt no mark answers through the gate to marketing, answering as the fast route does', async () => {
    const buyer = await customer();
    // first attempt: the token is not cached yet, so Fastify's fast route answers it
    const first = await attempt(WIN_SALE, buyer.token);
    expect(first.res.status).toBe(201);
    expect(answered).not.toHaveBeenCalled();
    const viaFastify = await attempt(WIN_SALE, buyer.token, { query: '?x=1' });
    const shortcut = await attempt(WIN_SALE, buyer.token, {
      headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` },
    });
    expect(answered).toHaveBeenCalledTimes(1);
    expect(comparable(shortcut)).toEqual(comparable(viaFastify));
    expect(shortcut.res.status).toBe(201);
    expect(shortcut.text).toBe(
      `{"result":"WON","token":"${WIN_SALE}.${buyer.sub}","expiresAt":"2026-12-03T10:00:00.000Z"}`,
    );
    expect(shortcut.res.headers.get('traceparent')).toMatch(new RegExp(`^00-${TRACE}-`));
    // a marketing that does not answer, a sale it does not know: the ProblemFilter's answers
    for (const [sale, code] of [
      [DOWN_SALE, 'BACKEND_UNAVAILABLE'],
      [MISSING_SALE, 'FLASH_SALE_NOT_FOUND'],
    ]) {
      const other = await customer();
      answered.mockClear();
      const viaNest = await attempt(sale, other.token, { query: '?x=1' });
      const fast = await attempt(sale, other.token);
      expect(answered).toHaveBeenCalledTimes(1);
      expect(fast.body.code).toBe(code);
      expect(comparable(fast)).toEqual(comparable(viaNest));
    }
  });

  it('answers a loss marketing decided as a mark answers it, and marks what a win or a loss says is left', async () => {
    const buyer = await customer();
    const calls = () =>
      (marketing.calls.get('attemptFlashPurchase') ?? []).filter(
        (c) => (c as { saleId: string }).saleId === LAST_UNIT_SALE,
      ).length;
    await attempt(WIN_SALE, buyer.token); // the token verified and cached by Fastify's route
    answered.mockClear();
    const limitBefore = await markAnswers('limit');
    // two units, one allowed: marketing's LIMIT_REACHED, answered by the shortcut
    const two = { body: '{"quantity":2}' };
    const fromMarketing = await attempt(LAST_UNIT_SALE, buyer.token, two);
    expect(shortcutAnswers()).toBe(1);
    expect(calls()).toBe(1);
    // the same loss from the mark that answer left (the fast route, then the shortcut)
    const viaFastify = await attempt(LAST_UNIT_SALE, buyer.token, { ...two, query: '?x=1' });
    const fromMark = await attempt(LAST_UNIT_SALE, buyer.token, two);
    expect(calls()).toBe(1);
    expect(comparable(fromMarketing)).toEqual(comparable(viaFastify));
    expect(comparable(fromMark)).toEqual(comparable(viaFastify));
    expect(fromMarketing.body.code).toBe('FLASH_SALE_LIMIT_REACHED');
    // the one unit allowed: marketing's win, which says nothing is left for this buyer ...
    expect((await attempt(LAST_UNIT_SALE, buyer.token)).res.status).toBe(201);
    expect(calls()).toBe(2);
    // ... so the next attempt is answered LIMIT_REACHED from memory, by either route
    const afterWin = await attempt(LAST_UNIT_SALE, buyer.token);
    const afterWinFastify = await attempt(LAST_UNIT_SALE, buyer.token, { query: '?x=1' });
    expect(calls()).toBe(2);
    expect(afterWin.body.code).toBe('FLASH_SALE_LIMIT_REACHED');
    expect(comparable(afterWin)).toEqual(comparable(afterWinFastify));
    expect((await markAnswers('limit')) - limitBefore).toBe(4);
  });

  it('counts attempts going to marketing in the shared limiter, with the same 429', async () => {
    const buyer = await customer();
    const answers = [];
    for (let i = 0; i < PER_ACCOUNT + 1; i++) answers.push(await attempt(OPEN_SALE, buyer.token));
    const viaFastify = await attempt(OPEN_SALE, buyer.token, { query: '?x=1' });
    expect(answers.map((a) => a.res.status)).toEqual([409, 409, 409, 409, 429]);
    expect(comparable(answers[4])).toEqual(comparable(viaFastify));
  });

  it('leaves every other request to Fastify and Nest, with the body it read', async () => {
    const buyer = await customer();
    await attempt(SOLD_OUT_SALE, buyer.token);
    answered.mockClear();
    // bodies the DTO refuses: the Nest route's own 400 (the shortcut had read them)
    const wrongType = await attempt(SOLD_OUT_SALE, buyer.token, { body: '{"quantity":"1"}' });
    expect(wrongType.res.status).toBe(400);
    expect(wrongType.body.code).toBe('VALIDATION_FAILED');
    const extra = await attempt(SOLD_OUT_SALE, buyer.token, { body: '{"quantity":1,"x":2}' });
    expect(extra.res.status).toBe(400);
    const tooMany = await attempt(SOLD_OUT_SALE, buyer.token, { body: '{"quantity":11}' });
    expect(tooMany.res.status).toBe(400);
    const bad = await attempt(SOLD_OUT_SALE, buyer.token, { body: '{"quantity":' });
    expect(bad.res.status).toBe(400);
    expect(bad.body.code).toBe('MALFORMED_JSON');
    expect(answered).toHaveBeenCalledTimes(4);
    expect(shortcutAnswers()).toBe(0);
    // a token not verified before, a missing token, an Idempotency-Key: not taken
    answered.mockClear();
    expect((await attempt(SOLD_OUT_SALE, 'not-a-token')).res.status).toBe(401);
    const anonymous = await fetch(`${gateway.httpUrl}/v1/flash-sales/${SOLD_OUT_SALE}/attempts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    const keyed = await attempt(SOLD_OUT_SALE, buyer.token, {
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(keyed.body.code).toBe('FLASH_SALE_SOLD_OUT');
    expect(answered).not.toHaveBeenCalled();
  });
});
