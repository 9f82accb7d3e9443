import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, newContext, type Logger, type RequestContext } from '@emporia/platform';
import {
  validateFlashSale,
  validateQuantity,
  type AttemptOutcome,
  type FlashSale,
  type FlashSaleStatus,
} from '../domain/flash-sale';
import { MarketingError } from '../domain/marketing-error';
import { countFlashAttempt } from './flash-sale.metrics';
import { FlashWinBatcher } from './flash-win-batcher';
import { recordPendingWins } from './flash-wins';
import {
  CLOCK,
  type Clock,
  FLASH_SETTINGS,
  FLASH_STORE,
  type FlashSaleCursor,
  type FlashSaleStore,
  type FlashSettings,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

/** One attempt of a batch: its outcome, or what it failed with (as it would have alone). */
export type AttemptResult = { ok: true; outcome: AttemptOutcome } | { ok: false; error: unknown };

export interface Reconciliation {
  redisRemaining: number;
  held: number;
  paid: number;
  /** stock − remaining − held: 0 when Redis and the database agree. */
  drift: number;
}

/** A listed sale with its reconciliation, as `get` reports it. */
export interface FlashSaleDetail {
  sale: FlashSale;
  createdAt: Date;
  reconciliation: Reconciliation;
}

/** stock − remaining − held: 0 when Redis and the database agree. */
const reconciliationOf = (
  sale: FlashSale,
  redisRemaining: number,
  unrecorded: number,
  tally: { held: number; paid: number },
): Reconciliation => ({
  redisRemaining,
  held: tally.held + unrecorded,
  paid: tally.paid,
  drift: sale.stock - redisRemaining - tally.held - unrecorded,
});

/**
 * How long after a drifting reading it is read again: a win's record or a give-back's commit
 * takes milliseconds, so a drift still there after this is Redis and the database disagreeing.
 */
export const DRIFT_RECHECK_MS = 100;

const notFound = (id: string) =>
  new MarketingError('NOT_FOUND', 'FLASH_SALE_NOT_FOUND', `flash sale ${id} does not exist`);

/**
 * Flash sales. Redis decides (one Lua script per attempt); the database records every win
 * (at once, and from the sale's win list for any write that was lost), what became an order,
 * and what was paid. The sweep returns lapsed tokens' units to the pool, reloads a sale Redis
 * lost (from what the database holds, so a reload can never oversell) and reports drift.
 */
@Injectable()
export class FlashSalesUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(FLASH_STORE) private readonly store: FlashSaleStore,
    @Inject(FLASH_SETTINGS) private readonly settings: FlashSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.wins = new FlashWinBatcher(
      // one statement per batch (one multi-row INSERT, atomic by itself: one round trip, where a
      // transaction took two, the COMMIT its own); its trace is the system's (wins of many
      // requests share it)
      (wins) => this.uow.statement(newContext(), (tx) => tx.flash.recordWins(wins)),
      (err, wins) =>
        // the wins are in their sales' win lists: the sweep records them
        this.logger.warn(
          { err, wins: wins.length },
          'recording flash-sale wins failed; the sweep will',
        ),
    );
  }

  /** Wins on their way to the database, a batch per write. */
  private readonly wins: FlashWinBatcher;
  /** When this process's sweep last reconciled each live sale (clock ms). */
  private readonly reconciledAt = new Map<string, number>();

  async create(ctx: RequestContext, sale: FlashSale): Promise<FlashSale> {
    validateFlashSale(sale);
    if (sale.endsAt.getTime() <= this.clock.now().getTime())
      throw new MarketingError(
        'INVALID_ARGUMENT',
        'FLASH_SALE_INVALID',
        'the sale has already ended',
      );
    await this.uow.run(ctx, async (tx) => {
      await tx.flash.insertSale(sale, this.clock.now());
      // announced with the sale: a duplicate id fails above, so one event per sale
      tx.events.flashSaleScheduled(sale);
      // loaded inside the transaction: a sale is never in the database without its pool
      await this.store.load(sale);
    });
    return sale;
  }

  async attempt(
    ctx: RequestContext,
    saleId: string,
    accountId: string,
    quantity: number,
  ): Promise<AttemptOutcome> {
    validateQuantity(quantity);
    const now = this.clock.now();
    let r = await this.store.attempt(saleId, accountId, quantity, now);
    if (r.result === 'UNKNOWN') {
      const sale = await this.uow.run(ctx, (tx) => tx.flash.findSale(saleId));
      if (!sale) throw notFound(saleId);
      await this.restore(ctx, sale);
      r = await this.store.attempt(saleId, accountId, quantity, now);
      if (r.result === 'UNKNOWN')
        throw new MarketingError(
          'UNAVAILABLE',
          'FLASH_SALE_UNAVAILABLE',
          'the sale is not loaded; retry',
        );
    }
    return this.won(r, saleId, accountId, quantity, now);
  }

  /**
   * Several attempts (a gateway's batch), each decided exactly as `attempt` decides it alone,
   * with its own outcome or its own failure: one bad attempt (a quantity out of range, a sale
   * that does not exist) fails only itself. The attempts of one sale are decided in order in
   * one atomic step (one Lua call per sale); their wins are recorded like single ones.
   */
  async attemptMany(
    ctx: RequestContext,
    attempts: readonly { saleId: string; accountId: string; quantity: number }[],
  ): Promise<AttemptResult[]> {
    const results: AttemptResult[] = new Array<AttemptResult>(attempts.length);
    const bySale = new Map<string, number[]>();
    attempts.forEach((a, i) => {
      try {
        validateQuantity(a.quantity);
      } catch (error) {
        results[i] = { ok: false, error };
        return;
      }
      const group = bySale.get(a.saleId);
      if (group) group.push(i);
      else bySale.set(a.saleId, [i]);
    });
    const now = this.clock.now();
    await Promise.all(
      [...bySale].map(async ([saleId, indexes]) => {
        let outcomes: (AttemptOutcome | { result: 'UNKNOWN' })[];
        try {
          outcomes = await this.store.attemptMany(
            saleId,
            indexes.map((i) => ({ buyer: attempts[i].accountId, quantity: attempts[i].quantity })),
            now,
          );
        } catch (error) {
          for (const i of indexes) results[i] = { ok: false, error };
          return;
        }
        await Promise.all(
          indexes.map(async (i, k) => {
            const r = outcomes[k];
            const a = attempts[i];
            try {
              // a sale Redis does not hold: restored (or NOT_FOUND) as a single attempt is
              results[i] = {
                ok: true,
                outcome:
                  r.result === 'UNKNOWN'
                    ? await this.attempt(ctx, saleId, a.accountId, a.quantity)
                    : await this.won(r, saleId, a.accountId, a.quantity, now),
              };
            } catch (error) {
              results[i] = { ok: false, error };
            }
          }),
        );
      }),
    );
    return results;
  }

  /**
   * A decided outcome (counted here, once per attempt: every decision of `attempt` and
   * `attemptMany` ends here); a win with its expiry, once the write carrying it has been tried.
   */
  private async won(
    r: AttemptOutcome,
    saleId: string,
    accountId: string,
    quantity: number,
    now: Date,
  ): Promise<AttemptOutcome> {
    countFlashAttempt(r.result);
    if (r.result !== 'WON') return r;
    const won = { ...r, expiresAt: new Date(now.getTime() + this.settings.tokenTtlMs) };
    await this.wins.record({
      token: won.token,
      saleId,
      accountId,
      quantity,
      status: 'WON',
      orderId: null,
      wonAt: now,
      expiresAt: won.expiresAt,
    });
    return won;
  }

  /**
   * The sales selling now (started, not ended) and the units left in their pools, summed: one
   * query and one Redis read per live sale (the stock gauges read it when metrics are scraped).
   */
  async liveStock(ctx: RequestContext): Promise<{ live: number; remainingUnits: number }> {
    const now = this.clock.now();
    const sales = (await this.uow.read(ctx, (tx) => tx.flash.liveSales(now))).filter(
      (s) => s.startsAt.getTime() <= now.getTime(),
    );
    const remaining = await Promise.all(sales.map((s) => this.store.remaining(s.id)));
    return { live: sales.length, remainingUnits: remaining.reduce((a, b) => a + b, 0) };
  }

  async get(
    ctx: RequestContext,
    saleId: string,
  ): Promise<{ sale: FlashSale; reconciliation: Reconciliation }> {
    const sale = await this.uow.run(ctx, (tx) => tx.flash.findSale(saleId));
    if (!sale) throw notFound(saleId);
    await this.drainWins(ctx, sale.id);
    return { sale, reconciliation: await this.reconcile(ctx, sale) };
  }

  /**
   * Sales newest first, all or those of one status at the clock's now, a page of `limit` after
   * the cursor's sale; each with its reconciliation as `get` reports it (the wins still in its
   * Redis list recorded first), the page's database sums in one query. `next`: where the next
   * page starts, null after the last.
   */
  async list(
    ctx: RequestContext,
    query: { status: FlashSaleStatus | null; limit: number; after: FlashSaleCursor | null },
  ): Promise<{ items: FlashSaleDetail[]; next: FlashSaleCursor | null }> {
    const now = this.clock.now();
    const found = await this.uow.read(ctx, (tx) =>
      tx.flash.listSales({ status: query.status, now }, query.limit + 1, query.after),
    );
    const page = found.slice(0, query.limit);
    await Promise.all(page.map((l) => this.drainWins(ctx, l.sale.id)));
    const ids = page.map((l) => l.sale.id);
    // as `reconcile` reads one sale: the database's sums first, then Redis's
    const totals = ids.length
      ? await this.uow.read(ctx, (tx) => tx.flash.totalsOf(ids))
      : new Map<string, { held: number; paid: number }>();
    const readings = await this.readings(ctx, ids);
    const items = page.map((l, i) => ({
      ...l,
      reconciliation: reconciliationOf(
        l.sale,
        readings[i].remaining,
        readings[i].unrecorded,
        totals.get(l.sale.id) ?? { held: 0, paid: 0 },
      ),
    }));
    const last = page[page.length - 1];
    return {
      items,
      next:
        found.length > query.limit && last ? { createdAt: last.createdAt, id: last.sale.id } : null,
    };
  }

  /**
   * Redis and the database side by side. Redis moves first, the database's write commits after
   * (a win recorded, a lapsed token's unit given back inside the transaction that marks it
   * RETURNED): a reading taken between the two drifts for that moment. So a drift is read again
   * after `DRIFT_RECHECK_MS` and only a drift still there is reported.
   */
  private async reconcile(ctx: RequestContext, sale: FlashSale): Promise<Reconciliation> {
    const first = await this.readReconciliation(ctx, sale);
    if (first.drift === 0) return first;
    await new Promise((r) => setTimeout(r, DRIFT_RECHECK_MS));
    return this.readReconciliation(ctx, sale);
  }

  /**
   * The database's tally first, then Redis's reading at one instant (the pool's units and the
   * wins in its win list), then which of those wins the database has: the others, decided (by a
   * gateway, or here with their write still on its way) and not recorded, count as held. A win
   * decided between the tally and the reading is out of the pool and in the list, so a sale
   * selling fast reads no drift; a win recorded between the tally and the last query (marketing's
   * own write landing, a drain running) is in neither count for that moment, which the recheck
   * absorbs.
   */
  private async readReconciliation(ctx: RequestContext, sale: FlashSale): Promise<Reconciliation> {
    // the sums only: the sweep reconciles every live sale (every FLASH_RECONCILE_INTERVAL_MS),
    // and a sale's buyers (tens of thousands in a Redis hash and in the purchases) are only
    // needed to restore it
    const tally = await this.uow.read(ctx, (tx) => tx.flash.totals(sale.id));
    const [reading] = await this.readings(ctx, [sale.id]);
    return reconciliationOf(sale, reading.remaining, reading.unrecorded, tally);
  }

  /** Each sale's pool units, and the units of its wins in the list the database does not have. */
  private async readings(
    ctx: RequestContext,
    saleIds: readonly string[],
  ): Promise<{ remaining: number; unrecorded: number }[]> {
    const read = await Promise.all(saleIds.map((id) => this.store.reading(id)));
    const tokens = read.flatMap((r) => r.pending.map((w) => w.token));
    const recorded = tokens.length
      ? await this.uow.read(ctx, (tx) => tx.flash.recordedTokens(tokens))
      : new Set<string>();
    return read.map((r) => ({
      remaining: r.remaining,
      unrecorded: r.pending.reduce((n, w) => n + (recorded.has(w.token) ? 0 : w.quantity), 0),
    }));
  }

  /** Records the wins in the sale's win list (`recordPendingWins`). */
  private drainWins(ctx: RequestContext, saleId: string): Promise<number> {
    return recordPendingWins(
      { uow: this.uow, store: this.store, tokenTtlMs: this.settings.tokenTtlMs },
      ctx,
      saleId,
    );
  }

  /** Reloads a sale whose keys Redis lost, with what the database does not already hold. */
  private async restore(ctx: RequestContext, sale: FlashSale): Promise<void> {
    // wins still in the sale's win list (decided by a gateway, not recorded yet) count as held:
    // recorded first, so the pool reloaded never sells their units again
    await this.drainWins(ctx, sale.id);
    const tally = await this.uow.run(ctx, (tx) => tx.flash.tally(sale.id));
    const remaining = Math.max(0, sale.stock - tally.held);
    this.logger.warn({ saleId: sale.id, remaining }, 'flash sale reloaded into Redis');
    await this.store.load(sale, remaining, tally.buyers);
  }

  /**
   * One sweep: record wins, return lapsed tokens, reload lost sales, report drift (each live sale
   * reconciled at most every `reconcileEveryMs`).
   */
  async sweep(ctx: RequestContext): Promise<{ recorded: number; returned: number }> {
    const now = this.clock.now();
    let recorded = 0;
    const sales = await this.uow.run(ctx, (tx) =>
      tx.flash.liveSales(new Date(now.getTime() - 86_400_000)),
    );
    for (const sale of sales) {
      if (sale.endsAt.getTime() > now.getTime() && !(await this.store.isLoaded(sale.id)))
        await this.restore(ctx, sale);
      recorded += await this.drainWins(ctx, sale.id);
    }
    let returned = 0;
    const lapsed = await this.uow.run(ctx, (tx) => tx.flash.lapsed(now, 200));
    for (const p of lapsed) {
      const done = await this.uow.run(ctx, async (tx) => {
        const cur = await tx.flash.findPurchase(p.token, true);
        if (!cur || cur.status !== 'WON') return false;
        await this.store.giveBack(cur.saleId, cur.token, cur.accountId, cur.quantity);
        await tx.flash.setPurchase(cur.token, 'RETURNED', null, now);
        return true;
      });
      if (done) returned++;
    }
    // each live sale reconciled at most every reconcileEveryMs (a sum over its purchases)
    const every = this.settings.reconcileEveryMs ?? 0;
    const live = new Set(sales.map((s) => s.id));
    for (const id of this.reconciledAt.keys()) if (!live.has(id)) this.reconciledAt.delete(id);
    for (const sale of sales) {
      const last = this.reconciledAt.get(sale.id);
      if (last !== undefined && now.getTime() - last < every) continue;
      this.reconciledAt.set(sale.id, now.getTime());
      const r = await this.reconcile(ctx, sale);
      if (r.drift !== 0)
        this.logger.warn(
          { saleId: sale.id, ...r },
          'flash sale drift between Redis and the database',
        );
    }
    return { recorded, returned };
  }
}
