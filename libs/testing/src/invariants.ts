import { Client } from 'pg';

/**
 * The promises the platform keeps through faults (issue 20), checked from the DATABASES (and the
 * search index, and marketing's own reconciliation of Redis against its database), never from
 * the load generator's memory: what the load generator contributes is only what a client was
 * told (the order ids answered 201, the orders answered PAID, the flash-sale tokens answered
 * 201), to be looked up.
 */
export interface Invariant {
  name: string;
  held: boolean;
  /** The numbers behind the verdict. */
  detail: string;
}

export interface InvariantInputs {
  databases: { catalog: string; order: string; user: string; marketing: string } & Record<
    string,
    string | undefined
  >;
  /** Order ids answered 201 by POST /v1/checkout, with the Idempotency-Key each was placed with. */
  checkouts: Map<string, string>;
  /** Order ids the sandbox answered PAID. */
  paid: Set<string>;
  flash?: {
    saleId: string;
    stock: number;
    perUserLimit: number;
    /** Tokens answered 201. */
    tokens: Set<string>;
    /** Marketing's reconciliation (GET /v1/admin/flash-sales/:id: Redis against the database). */
    reconciliation: () => Promise<{
      drift?: number;
      redisRemaining?: number;
      held?: number;
      error?: string;
    }>;
  };
  /** The search index (its alias) and Elasticsearch, to compare with the catalog. */
  search?: { elasticsearchUrl: string; alias: string };
}

const PAID_STATUSES = ['PAID', 'FULFILLING', 'SHIPPED', 'DELIVERED', 'COMPLETED'];

async function withDb<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const n = (v: unknown) => Number(v ?? 0);

/** Every invariant once, as things stand. */
export async function checkInvariants(inp: InvariantInputs): Promise<Invariant[]> {
  const out: Invariant[] = [];
  const add = (name: string, held: boolean, detail: string) => out.push({ name, held, detail });
  const db = inp.databases;

  // ---- orders and payments (order's database)
  const answered = [...inp.checkouts.keys()];
  const paidOrders = await withDb(db.order, async (c) => {
    const found = (
      await c.query<{ id: string; keys: string[] }>(
        `SELECT o.id, array_remove(array_agg(c.key::text), NULL) AS keys FROM orders o
           LEFT JOIN checkouts c ON c.order_id = o.id WHERE o.id = ANY($1::uuid[]) GROUP BY o.id`,
        [answered],
      )
    ).rows;
    const byId = new Map(found.map((r) => [r.id, r.keys]));
    const missing = answered.filter((id) => !byId.has(id)).length;
    // order keeps one checkout per (account, Idempotency-Key), under a key derived from both
    const wrongKey = answered.filter((id) => {
      const keys = byId.get(id);
      return keys && keys.length !== 1;
    }).length;
    const totals = (
      await c.query(
        `SELECT (SELECT count(*) FROM orders) AS orders,
                (SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM checkouts c WHERE c.order_id = o.id)) AS orphans,
                (SELECT count(*) FROM (SELECT order_id FROM checkouts GROUP BY order_id HAVING count(*) > 1) t) AS shared,
                (SELECT count(*) FROM checkouts WHERE status = 'STARTED') AS started`,
      )
    ).rows[0];
    add(
      'every checkout answered 201 is exactly one order',
      missing === 0 && wrongKey === 0 && n(totals.orphans) === 0 && n(totals.shared) === 0,
      `${answered.length} answered 201: ${missing} without an order, ${wrongKey} not of exactly one checkout; ` +
        `orders in the database ${n(totals.orders)} (${n(totals.orders) - (answered.length - missing)} never answered 201: the client gave up), ` +
        `orders without a checkout ${n(totals.orphans)}, orders of two checkouts ${n(totals.shared)}, checkouts still STARTED ${n(totals.started)}`,
    );
    const pay = (
      await c.query(
        `SELECT
           (SELECT count(*) FROM (SELECT order_id FROM payments WHERE status IN ('SUCCEEDED', 'REFUNDED')
              GROUP BY order_id HAVING count(*) > 1) t) AS twice,
           (SELECT count(*) FROM orders o WHERE o.status = ANY($1::text[]) AND
              (SELECT count(*) FROM payments p WHERE p.order_id = o.id AND p.status = 'SUCCEEDED') <> 1) AS paid_not_once,
           (SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id
              WHERE p.status = 'SUCCEEDED' AND NOT (o.status = ANY($1::text[]))) AS captured_unpaid,
           (SELECT count(*) FROM orders WHERE status = ANY($1::text[])) AS paid,
           (SELECT count(*) FROM payments WHERE status = 'SUCCEEDED') AS captured`,
        [PAID_STATUSES],
      )
    ).rows[0];
    add(
      'no payment is captured twice',
      n(pay.twice) === 0,
      `orders with two captured payments: ${n(pay.twice)} (captured payments ${n(pay.captured)})`,
    );
    const paidRows = (
      await c.query<{
        id: string;
        account_id: string;
        lines: { skuId: string; quantity: number }[];
      }>(`SELECT id, account_id, lines FROM orders WHERE status = ANY($1::text[])`, [PAID_STATUSES])
    ).rows;
    const paidIds = new Set(paidRows.map((r) => r.id));
    const toldNotPaid = [...inp.paid].filter((id) => !paidIds.has(id)).length;
    add(
      "every paid order's payment is captured once",
      n(pay.paid_not_once) === 0 && n(pay.captured_unpaid) === 0 && toldNotPaid === 0,
      `paid orders ${n(pay.paid)}: ${n(pay.paid_not_once)} without exactly one captured payment; captured payments of unpaid orders ${n(pay.captured_unpaid)}; ` +
        `answered PAID ${inp.paid.size}, of which not paid in the database ${toldNotPaid}`,
    );
    const cancelled = (
      await c.query<{ reservation_id: string }>(
        `SELECT reservation_id FROM orders WHERE status = 'CANCELLED'`,
      )
    ).rows.map((r) => r.reservation_id);
    const reservations = (
      await c.query<{ reservation_id: string }>(
        `SELECT reservation_id FROM orders WHERE status = ANY($1::text[])`,
        [PAID_STATUSES],
      )
    ).rows.map((r) => r.reservation_id);
    return { rows: paidRows, cancelled, reservations };
  });

  // ---- stock (catalog's database), against the paid orders
  await withDb(db.catalog, async (c) => {
    const levels = (
      await c.query<{
        sku_id: string;
        warehouse_code: string;
        on_hand: string;
        reserved: string;
        moved: string;
        came_in: string;
        sold: string;
        active: string;
      }>(
        `SELECT l.sku_id, l.warehouse_code, l.on_hand, l.reserved,
           COALESCE((SELECT sum(delta) FROM stock_movements m WHERE m.sku_id = l.sku_id AND m.warehouse_code = l.warehouse_code), 0) AS moved,
           COALESCE((SELECT sum(delta) FROM stock_movements m WHERE m.sku_id = l.sku_id AND m.warehouse_code = l.warehouse_code AND delta > 0), 0) AS came_in,
           COALESCE((SELECT -sum(delta) FROM stock_movements m WHERE m.sku_id = l.sku_id AND m.warehouse_code = l.warehouse_code AND reason = 'order'), 0) AS sold,
           COALESCE((SELECT sum(rl.quantity) FROM stock_reservation_lines rl JOIN stock_reservations r ON r.id = rl.reservation_id
              WHERE r.status = 'ACTIVE' AND rl.sku_id = l.sku_id AND rl.warehouse_code = l.warehouse_code), 0) AS active
         FROM stock_levels l`,
      )
    ).rows;
    const soldByOrders = new Map<string, number>();
    for (const o of paidOrders.rows)
      for (const l of o.lines)
        soldByOrders.set(l.skuId, (soldByOrders.get(l.skuId) ?? 0) + Number(l.quantity));
    const soldBySku = new Map<string, number>();
    let bad = 0;
    let cameIn = 0;
    let onHand = 0;
    let reserved = 0;
    const notes: string[] = [];
    for (const l of levels) {
      soldBySku.set(l.sku_id, (soldBySku.get(l.sku_id) ?? 0) + n(l.sold));
      cameIn += n(l.came_in);
      onHand += n(l.on_hand);
      reserved += n(l.reserved);
      // what came in − what went out (sold, written off) = on hand; reserved ⊆ on hand, and is
      // exactly what the active reservations hold
      if (
        n(l.moved) !== n(l.on_hand) ||
        n(l.reserved) !== n(l.active) ||
        n(l.reserved) > n(l.on_hand)
      ) {
        bad++;
        if (notes.length < 3)
          notes.push(
            `${l.sku_id}/${l.warehouse_code}: movements ${n(l.moved)} vs on hand ${n(l.on_hand)}, reserved ${n(l.reserved)} vs active reservations ${n(l.active)}`,
          );
      }
    }
    let soldMismatch = 0;
    for (const sku of new Set([...soldBySku.keys(), ...soldByOrders.keys()]))
      if ((soldBySku.get(sku) ?? 0) !== (soldByOrders.get(sku) ?? 0)) {
        soldMismatch++;
        if (notes.length < 6)
          notes.push(
            `${sku}: sold by catalog ${soldBySku.get(sku) ?? 0}, in paid orders ${soldByOrders.get(sku) ?? 0}`,
          );
      }
    const sold = [...soldBySku.values()].reduce((a, b) => a + b, 0);
    const twice = n(
      (
        await c.query(
          `SELECT count(*) AS n FROM (SELECT reference, sku_id, warehouse_code FROM stock_movements
             WHERE reason = 'order' GROUP BY 1, 2, 3 HAVING count(*) > 1) t`,
        )
      ).rows[0].n,
    );
    const states = (
      await c.query<{ id: string; status: string }>(
        `SELECT id, status FROM stock_reservations WHERE id = ANY($1::uuid[])`,
        [[...paidOrders.reservations, ...paidOrders.cancelled]],
      )
    ).rows;
    const state = new Map(states.map((r) => [r.id, r.status]));
    const paidUncommitted = paidOrders.reservations.filter(
      (id) => state.get(id) !== 'COMMITTED',
    ).length;
    const cancelledCommitted = paidOrders.cancelled.filter(
      (id) => state.get(id) === 'COMMITTED' || state.get(id) === 'ACTIVE',
    ).length;
    add(
      'stock is conserved per SKU',
      bad === 0 &&
        soldMismatch === 0 &&
        twice === 0 &&
        paidUncommitted === 0 &&
        cancelledCommitted === 0,
      `${levels.length} SKU levels: came in ${cameIn} = on hand ${onHand} + sold ${sold} (+ written off); reserved ${reserved} (of on hand); ` +
        `levels off their movements or reservations ${bad}; SKUs whose sales differ from the paid orders' lines ${soldMismatch}; ` +
        `reservations committed twice ${twice}; paid orders' reservations not committed ${paidUncommitted}; cancelled orders' reservations still held or committed ${cancelledCommitted}` +
        (notes.length ? ` (${notes.join('; ')})` : ''),
    );
  });

  // ---- points (user's database), against the paid orders
  await withDb(db.user, async (c) => {
    const off = (
      await c.query(
        `WITH l AS (SELECT account_id, sum(points) AS s FROM points_ledger GROUP BY 1),
              lots AS (SELECT account_id, sum(remaining) AS r FROM points_lots GROUP BY 1),
              last AS (SELECT DISTINCT ON (account_id) account_id, balance_after FROM points_ledger ORDER BY account_id, id DESC)
         SELECT count(*) AS off, (SELECT count(*) FROM lots) AS accounts, (SELECT COALESCE(sum(r), 0) FROM lots) AS points
           FROM l FULL JOIN lots USING (account_id) LEFT JOIN last USING (account_id)
          WHERE COALESCE(l.s, 0) <> COALESCE(lots.r, 0) OR COALESCE(last.balance_after, 0) <> COALESCE(lots.r, 0)`,
      )
    ).rows[0];
    add(
      'points balances equal their ledgers',
      n(off.off) === 0,
      `accounts with points ${n(off.accounts)} (${n(off.points)} points): balance ≠ ledger sum or last balance_after for ${n(off.off)}`,
    );
    const earned = (
      await c.query<{ account_id: string; ref: string; n: string }>(
        `SELECT account_id, ref, count(*) AS n FROM points_ledger WHERE type = 'EARN' AND ref = ANY($1) GROUP BY 1, 2`,
        [paidOrders.rows.map((r) => r.id)],
      )
    ).rows;
    const twice = n(
      (
        await c.query(
          `SELECT count(*) AS n FROM (SELECT account_id, ref FROM points_ledger WHERE type = 'EARN' GROUP BY 1, 2 HAVING count(*) > 1) t`,
        )
      ).rows[0].n,
    );
    const byOrder = new Map(earned.map((e) => [e.ref, e]));
    const notAccrued = paidOrders.rows.filter(
      (o) => byOrder.get(o.id)?.account_id !== o.account_id,
    ).length;
    add(
      'points accrued once per paid order (the user consumer applied each order.paid once)',
      twice === 0 && notAccrued === 0,
      `paid orders ${paidOrders.rows.length}: without their EARN entry ${notAccrued}; EARN entries twice for one order ${twice}`,
    );
  });

  // ---- every outbox row published; inbox entries unique (every service's database)
  const pending: string[] = [];
  const inboxDupes: string[] = [];
  let handled = 0;
  for (const [svc, url] of Object.entries(db)) {
    if (!url) continue;
    await withDb(url, async (c) => {
      const has = (
        await c.query(
          `SELECT to_regclass('outbox') IS NOT NULL AS outbox, to_regclass('inbox') IS NOT NULL AS inbox`,
        )
      ).rows[0];
      if (has.outbox) {
        const p = n(
          (await c.query(`SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n,
        );
        if (p) pending.push(`${svc} ${p}`);
      }
      if (has.inbox) {
        const r = (
          await c.query(
            `SELECT count(*) AS n, count(*) - count(DISTINCT (consumer, event_id)) AS dupes FROM inbox`,
          )
        ).rows[0];
        handled += n(r.n);
        if (n(r.dupes)) inboxDupes.push(`${svc} ${n(r.dupes)}`);
      }
    });
  }
  add(
    'every outbox row is published',
    pending.length === 0,
    pending.length
      ? `pending: ${pending.join(', ')}`
      : `no pending row in ${Object.keys(db).join(', ')}`,
  );
  add(
    'each consumer applied each event once (inbox)',
    inboxDupes.length === 0,
    `${handled} events handled; an event handled twice by one consumer: ${inboxDupes.join(', ') || 'none'} (effects: points and stock above)`,
  );

  // ---- flash sale (marketing's database; its reconciliation of Redis)
  if (inp.flash) {
    const f = inp.flash;
    await withDb(db.marketing, async (c) => {
      const rows = (
        await c.query<{ token: string; account_id: string; quantity: number; status: string }>(
          `SELECT token, account_id, quantity, status FROM flash_purchases WHERE sale_id = $1`,
          [f.saleId],
        )
      ).rows;
      const held = rows.filter((r) => r.status !== 'RETURNED');
      const units = held.reduce((a, r) => a + Number(r.quantity), 0);
      const perAccount = new Map<string, number>();
      for (const r of held)
        perAccount.set(r.account_id, (perAccount.get(r.account_id) ?? 0) + Number(r.quantity));
      const overLimit = [...perAccount.values()].filter((v) => v > f.perUserLimit).length;
      const recorded = new Set(rows.map((r) => r.token));
      const unrecorded = [...f.tokens].filter((t) => !recorded.has(t)).length;
      const rec = await f
        .reconciliation()
        .catch((e: Error) => ({ error: e.message }) as { drift?: number });
      // no answer (marketing or the gateway down) is not a reconciliation: not held
      const drift = rec?.drift;
      add(
        'no flash-sale oversell; Redis/database drift 0 after reconciliation',
        units <= f.stock && overLimit === 0 && unrecorded === 0 && drift === 0,
        `stock ${f.stock}: units won ${units} (oversell ${Math.max(0, units - f.stock)}); accounts over the limit ${overLimit}; ` +
          `wins answered 201 ${f.tokens.size}, not recorded ${unrecorded}; reconciliation ${JSON.stringify(rec)}`,
      );
    });
  }

  // ---- the search index converges to the catalog
  if (inp.search) {
    const s = inp.search;
    const products = await withDb(
      db.catalog,
      async (c) =>
        (await c.query<{ id: string; version: string }>(`SELECT id, version FROM products`)).rows,
    );
    const res = await fetch(`${s.elasticsearchUrl}/${s.alias}/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        size: 10000,
        _source: ['product_id', 'version'],
        query: { match_all: {} },
      }),
    }).catch(() => undefined);
    const body = res?.ok
      ? ((await res.json()) as {
          hits: { hits: { _source: { product_id: string; version: number } }[] };
        })
      : undefined;
    const indexed = new Map(
      (body?.hits.hits ?? []).map((h) => [h._source.product_id, Number(h._source.version)]),
    );
    const stale = products.filter((p) => indexed.get(p.id) !== n(p.version)).length;
    const extra = [...indexed.keys()].filter((id) => !products.some((p) => p.id === id)).length;
    add(
      'the search index converges to the catalog',
      !!body && stale === 0 && extra === 0,
      body
        ? `catalog products ${products.length}, indexed ${indexed.size}: missing or at another version ${stale}, not in the catalog ${extra}`
        : `the index ${s.alias} did not answer (${res?.status ?? 'no connection'})`,
    );
  }
  return out;
}

/**
 * The invariants once every eventual one has had `settleMs` to converge (relays publishing,
 * consumers catching up, the index refreshing, the sweep reconciling): checked again every
 * second until all hold or the time is up; the last verdicts.
 */
export async function settledInvariants(
  inp: InvariantInputs,
  settleMs = 60_000,
): Promise<{ invariants: Invariant[]; settledAfterMs: number }> {
  const started = Date.now();
  for (;;) {
    const invariants = await checkInvariants(inp).catch((e: Error): Invariant[] => [
      { name: 'the databases answer', held: false, detail: e.message },
    ]);
    if (invariants.every((i) => i.held) || Date.now() - started > settleMs)
      return { invariants, settledAfterMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** "held: name — detail" lines. */
export function describeInvariants(list: Invariant[]): string {
  return list.map((i) => `${i.held ? 'held' : 'NOT HELD'}: ${i.name} — ${i.detail}`).join('\n');
}
