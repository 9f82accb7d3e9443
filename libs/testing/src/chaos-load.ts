import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';

/**
 * The chaos suite's steady mixed load through the gateway (issue 20): browsing product pages,
 * searching, carts, checkouts paid through the sandbox, flash-sale attempts and sign-ins, from
 * shoppers each with their own client address (X-Forwarded-For: run the gateway with
 * TRUST_PROXY=true). It keeps what a client would know — the order ids answered 201, the orders
 * it saw PAID, the flash-sale tokens it won — for the invariants to look up in the databases,
 * and every answer in one-second buckets, for the report of a fault's window.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes
type Json = Record<string, any>;

export type ChaosAction = 'browse' | 'search' | 'checkout' | 'flash' | 'signin';

export interface ChaosShop {
  gatewayUrl: string;
  suffix: string;
  operator: Record<string, string>;
  /** SKUs on sale (one product each), with `stockPerSku` units received in warehouse CHAOS. */
  skus: { skuId: string; productId: string }[];
  stockPerSku: number;
  flashSale: { id: string; stock: number; perUserLimit: number };
  shoppers: Shopper[];
  password: string;
}

interface Shopper {
  i: number;
  email: string;
  xff: string;
  auth: string;
}

const SEARCH_WORDS = ['kettle', 'teapot', 'lamp', 'chair', 'mug', 'ceramic', 'bamboo'];

const address = (i: number) => ({
  recipient: `Chaos shopper ${i}`,
  phone: `+86139${String(i).padStart(8, '0')}`,
  country: 'CN',
  province: '上海市',
  city: '上海市',
  district: '浦东新区',
  line1: `${i} Chaos Road`,
});

async function request(
  pool: Pool,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{
  status: number;
  body: Json;
  headers: Record<string, unknown>;
  label: string;
  sentAt: number;
}> {
  const sentAt = Date.now();
  try {
    const r = await pool.request({
      method,
      path,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.body.text();
    let parsed: Json = {};
    try {
      parsed = text ? (JSON.parse(text) as Json) : {};
    } catch {
      /* not JSON */
    }
    const code = typeof parsed.code === 'string' ? ` ${parsed.code}` : '';
    const retryAfter = r.statusCode === 503 && !r.headers['retry-after'] ? ' NO-RETRY-AFTER' : '';
    return {
      status: r.statusCode,
      body: parsed,
      headers: r.headers,
      label: `${r.statusCode}${r.statusCode >= 300 ? code : ''}${retryAfter}`,
      sentAt,
    };
  } catch (e) {
    const code = (e as { code?: string }).code ?? (e as Error).name;
    // a client backs off a little before trying again (no busy loop on a refused port)
    await new Promise((r) => setTimeout(r, 200));
    return { status: 0, body: {}, headers: {}, label: `net ${code}`, sentAt };
  }
}

/**
 * The shop the load runs in, made through the gateway: an operator, `skus` products of one SKU
 * each, a live flash sale, and `shoppers` accounts registered and signed in from their own
 * client addresses.
 */
export async function setUpChaosShop(
  gatewayUrl: string,
  opts: {
    suffix: string;
    /** Makes an account an operator (platform.signIn with roles, or the user service's grant-roles). */
    operator: () => Promise<Record<string, string>>;
    skus?: number;
    stockPerSku?: number;
    shoppers?: number;
    flashStock?: number;
  },
): Promise<ChaosShop> {
  const pool = new Pool(gatewayUrl, { connections: 8 });
  const password = 'chaos suite password 2026';
  try {
    const operator = await opts.operator();
    const must = async (what: string, r: Promise<{ status: number; body: Json }>, ok: number) => {
      const res = await r;
      if (res.status !== ok) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const stockPerSku = opts.stockPerSku ?? 100_000;
    const cat = await must(
      'category',
      request(pool, 'POST', '/v1/categories', operator, {
        name: 'Chaos',
        slug: `chaos-${opts.suffix}`,
      }),
      201,
    );
    const skus: ChaosShop['skus'] = [];
    for (let i = 0; i < (opts.skus ?? 6); i++) {
      const p = await must(
        'product',
        request(pool, 'POST', '/v1/products', operator, {
          title: `Chaos ${SEARCH_WORDS[i % SEARCH_WORDS.length]} ${i}`,
          categoryId: cat.id,
          skus: [
            { code: `CHAOS-${opts.suffix}-${i}`, price: { amountMinor: 12900, currency: 'CNY' } },
          ],
        }),
        201,
      );
      const skuId = p.skus[0].id as string;
      await must(
        'stock',
        request(pool, 'POST', `/v1/skus/${skuId}/stock-adjustments`, operator, {
          warehouseCode: 'CHAOS',
          delta: stockPerSku,
          reason: 'receive',
        }),
        200,
      );
      skus.push({ skuId, productId: p.id as string });
    }
    const flashStock = opts.flashStock ?? 300;
    const sale = await must(
      'flash sale',
      request(pool, 'POST', '/v1/admin/flash-sales', operator, {
        skuId: randomUUID(),
        price: { amountMinor: 100, currency: 'CNY' },
        stock: flashStock,
        perUserLimit: 2,
        startsAt: new Date(Date.now() - 1000).toISOString(),
        endsAt: new Date(Date.now() + 6 * 3_600_000).toISOString(),
      }),
      201,
    );
    const shoppers: Shopper[] = [];
    let next = 0;
    const count = opts.shoppers ?? 40;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < count) {
          const i = next++;
          const email = `chaos${i}.${opts.suffix}@example.cn`;
          const xff = `10.77.${(i >> 8) & 255}.${(i & 255) + 1}`;
          for (;;) {
            const reg = await request(
              pool,
              'POST',
              '/v1/auth/register',
              { 'x-forwarded-for': xff },
              { email, password },
            );
            if (reg.status === 201) break;
            if (reg.status !== 429) throw new Error(`register: ${JSON.stringify(reg.body)}`);
            await new Promise((r) => setTimeout(r, 300));
          }
          const login = await must(
            'login',
            request(
              pool,
              'POST',
              '/v1/auth/login',
              { 'x-forwarded-for': xff },
              { identifier: email, password },
            ),
            200,
          );
          shoppers.push({ i, email, xff, auth: `Bearer ${login.tokens.accessToken}` });
        }
      }),
    );
    return {
      gatewayUrl,
      suffix: opts.suffix,
      operator,
      skus,
      stockPerSku,
      flashSale: { id: sale.id as string, stock: flashStock, perUserLimit: 2 },
      shoppers,
      password,
    };
  } finally {
    await pool.close();
  }
}

/** Answers of one second: how many were 2xx, and the others by label ("503 BACKEND_UNAVAILABLE", "net ECONNREFUSED"). */
export interface Second {
  at: number;
  ok: number;
  errors: Record<string, number>;
}

export interface WindowStats {
  requests: number;
  ok: number;
  /** The longest a request waited for its answer (or its error), by action, in ms. */
  slowest: Partial<Record<ChaosAction, number>>;
  /** What that slowest request was answered ("200", "504 BACKEND_TIMEOUT", "net ECONNRESET"). */
  slowestAnswer: Partial<Record<ChaosAction, string>>;
  /** Answers other than 2xx by label, with the action: "checkout 503 BACKEND_UNAVAILABLE". */
  errors: Record<string, number>;
}

/**
 * The answers of a window that say something broke rather than that something is unavailable
 * (500 and 502, by label): under a fault the platform must answer 2xx, 503 with Retry-After, 504,
 * or refuse the connection, never these.
 */
export function brokenAnswers(w: WindowStats): Record<string, number> {
  return Object.fromEntries(Object.entries(w.errors).filter(([k]) => / 50[02]( |$)/.test(k)));
}

export interface MixedLoad {
  /** Order ids answered 201 by POST /v1/checkout (each with the Idempotency-Key it was placed with). */
  readonly checkouts: Map<string, string>;
  /** Order ids whose sandbox payment answered PAID. */
  readonly paid: Set<string>;
  /** Flash-sale tokens answered 201. */
  readonly flashTokens: Set<string>;
  readonly seconds: Second[];
  /** Answers (and errors) with their action between two instants (ms since the epoch). */
  window(from: number, to: number): WindowStats;
  /** Mean 2xx answers per second over [from, to). */
  throughput(from: number, to: number): number;
  /**
   * Seconds from `from` until throughput is back to `fraction` of `baseline` (two seconds in a
   * row), or undefined when it has not been (yet).
   */
  recoveredAfter(from: number, baseline: number, fraction?: number): number | undefined;
  stop(): Promise<void>;
}

/**
 * Runs the mixed load until `stop()`: `concurrency` workers, each picking an action by weight
 * (browse 35, search 20, checkout 20, flash 15, sign-in 10, unless `weights` says otherwise).
 * A checkout is one shopper's cart line, POST /v1/checkout with an Idempotency-Key — retried with
 * the same key on 409 in progress, 5xx or a lost connection, as a client would, for up to
 * `checkoutRetrySeconds` — then the payment and the sandbox's PAID.
 */
export function startMixedLoad(
  shop: ChaosShop,
  opts: {
    concurrency?: number;
    weights?: Partial<Record<ChaosAction, number>>;
    checkoutRetrySeconds?: number;
  } = {},
): MixedLoad {
  const concurrency = opts.concurrency ?? 8;
  const pool = new Pool(shop.gatewayUrl, {
    connections: concurrency,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
    keepAliveTimeout: 10_000,
  });
  const weights = { browse: 35, search: 20, checkout: 20, flash: 15, signin: 10, ...opts.weights };
  const table = Object.entries(weights) as [ChaosAction, number][];
  const total = table.reduce((a, [, w]) => a + w, 0);
  const pick = (): ChaosAction => {
    let r = Math.random() * total;
    for (const [a, w] of table) if ((r -= w) < 0) return a;
    return table[0][0];
  };
  const checkouts = new Map<string, string>();
  const paid = new Set<string>();
  const flashTokens = new Set<string>();
  const seconds: Second[] = [];
  const events: { at: number; action: ChaosAction; label: string; ok: boolean; ms: number }[] = [];
  const record = (action: ChaosAction, r: { status: number; label: string; sentAt?: number }) => {
    const at = Date.now();
    const sec = Math.floor(at / 1000) * 1000;
    let s = seconds[seconds.length - 1];
    if (!s || s.at !== sec) {
      s = { at: sec, ok: 0, errors: {} };
      seconds.push(s);
    }
    const ok = r.status >= 200 && r.status < 300;
    if (ok) s.ok++;
    else s.errors[`${action} ${r.label}`] = (s.errors[`${action} ${r.label}`] ?? 0) + 1;
    events.push({ at, action, label: r.label, ok, ms: r.sentAt ? at - r.sentAt : 0 });
  };
  const idle = [...shop.shoppers];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const as = (s: Shopper) => ({ authorization: s.auth, 'x-forwarded-for': s.xff });
  const relogin = async (s: Shopper) => {
    const login = await request(
      pool,
      'POST',
      '/v1/auth/login',
      { 'x-forwarded-for': s.xff },
      { identifier: s.email, password: shop.password },
    );
    record('signin', login);
    if (login.status === 200) s.auth = `Bearer ${login.body.tokens.accessToken}`;
  };
  const retrySeconds = opts.checkoutRetrySeconds ?? 20;

  const actions: Record<ChaosAction, (s: Shopper) => Promise<void>> = {
    browse: async () => {
      const { productId } = shop.skus[Math.floor(Math.random() * shop.skus.length)];
      record('browse', await request(pool, 'GET', `/v1/products/${productId}`, {}));
    },
    search: async () => {
      const q = SEARCH_WORDS[Math.floor(Math.random() * SEARCH_WORDS.length)];
      record('search', await request(pool, 'GET', `/v1/search/products?q=${q}`, {}));
    },
    signin: relogin,
    flash: async (s) => {
      const r = await request(
        pool,
        'POST',
        `/v1/flash-sales/${shop.flashSale.id}/attempts`,
        as(s),
        { quantity: 1 },
      );
      if (r.status === 201) flashTokens.add(r.body.token as string);
      // sold out, over the limit, too fast: answers, not faults
      const refused = r.status === 409 || r.status === 429 || r.status === 422;
      record('flash', refused ? { ...r, status: 200, label: 'refused' } : r);
      if (r.status === 401) await relogin(s);
    },
    checkout: async (s) => {
      const { skuId } = shop.skus[Math.floor(Math.random() * shop.skus.length)];
      const line = await request(pool, 'PUT', `/v1/cart/lines/${skuId}`, as(s), { quantity: 1 });
      record('checkout', line);
      if (line.status === 401) return relogin(s);
      if (line.status !== 200) return;
      const key = randomUUID();
      const until = Date.now() + retrySeconds * 1000;
      let co;
      for (;;) {
        co = await request(
          pool,
          'POST',
          '/v1/checkout',
          { ...as(s), 'idempotency-key': key },
          {
            address: address(s.i),
          },
        );
        record('checkout', co);
        const again = co.status === 0 || co.status >= 500 || co.status === 409;
        if (!again || Date.now() > until) break;
        await sleep(500);
      }
      if (co.status !== 201) return;
      checkouts.set(co.body.id as string, key);
      if (co.body.status !== 'PENDING_PAYMENT') return;
      const pay = await request(pool, 'POST', `/v1/orders/${co.body.id}/payments`, as(s), {});
      record('checkout', pay);
      if (pay.status !== 201) return;
      const done = await request(
        pool,
        'POST',
        `/v1/payments/sandbox/pay/${pay.body.paymentId}`,
        as(s),
        {},
      );
      record('checkout', done);
      if (done.status === 200 && done.body.outcome === 'PAID') paid.add(co.body.id as string);
    },
  };

  let running = true;
  let stopped: Promise<void> | undefined;
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) {
      const s = idle.shift();
      if (!s) {
        await sleep(10);
        continue;
      }
      try {
        await actions[pick()](s);
      } catch (e) {
        record('browse', { status: 0, label: `bug ${(e as Error).message}` });
      } finally {
        idle.push(s);
      }
    }
  });

  const window = (from: number, to: number): WindowStats => {
    const out: WindowStats = { requests: 0, ok: 0, slowest: {}, slowestAnswer: {}, errors: {} };
    for (const e of events) {
      // answered in the window, or sent in it (a request held across the whole fault counts)
      if (e.at - e.ms >= to || e.at < from) continue;
      out.requests++;
      if (e.ms >= (out.slowest[e.action] ?? 0)) {
        out.slowest[e.action] = e.ms;
        out.slowestAnswer[e.action] = e.label;
      }
      if (e.ok) out.ok++;
      else out.errors[`${e.action} ${e.label}`] = (out.errors[`${e.action} ${e.label}`] ?? 0) + 1;
    }
    return out;
  };
  const okAt = (sec: number) => seconds.find((s) => s.at === sec)?.ok ?? 0;
  return {
    checkouts,
    paid,
    flashTokens,
    seconds,
    window,
    throughput(from, to) {
      const a = Math.floor(from / 1000) * 1000;
      const b = Math.floor(to / 1000) * 1000;
      let n = 0;
      let sum = 0;
      for (let t = a; t < b; t += 1000, n++) sum += okAt(t);
      return n ? sum / n : 0;
    },
    recoveredAfter(from, baseline, fraction = 0.7) {
      const last = Math.floor(Date.now() / 1000) * 1000 - 1000;
      for (let t = Math.floor(from / 1000) * 1000; t < last; t += 1000)
        if (okAt(t) >= baseline * fraction && okAt(t + 1000) >= baseline * fraction)
          return Math.max(0, (t - from) / 1000);
      return undefined;
    },
    stop() {
      if (!stopped) {
        running = false;
        stopped = Promise.all(workers).then(() => pool.close());
      }
      return stopped;
    },
  };
}
