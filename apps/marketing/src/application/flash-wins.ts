import type { RequestContext } from '@emporia/platform';
import type { FlashSaleStore, UnitOfWork } from './ports';

/** Wins read from a sale's win list per statement. */
const BATCH = 500;

/**
 * Records a sale's wins from its Redis win list in the database (idempotent by token), then
 * drops them from the list: a batch of up to 500 per statement. Every win is appended to the
 * list in the same script call that decided it, wherever it was decided (marketing or a
 * gateway), so the list is where the database learns of wins it did not write itself. Safe to
 * run from several places at once: a batch another reader recorded and dropped first is written
 * again (no effect) and nothing is dropped twice (`FlashSaleStore.ackWins`).
 */
export async function recordPendingWins(
  deps: { uow: UnitOfWork; store: FlashSaleStore; tokenTtlMs: number },
  ctx: RequestContext,
  saleId: string,
): Promise<number> {
  let total = 0;
  for (;;) {
    const wins = await deps.store.pendingWins(saleId, BATCH);
    if (wins.length === 0) return total;
    await deps.uow.statement(ctx, (tx) =>
      tx.flash.recordWins(
        wins.map((w) => ({
          token: w.token,
          saleId,
          accountId: w.buyer,
          quantity: w.quantity,
          status: 'WON' as const,
          orderId: null,
          wonAt: w.wonAt,
          expiresAt: new Date(w.wonAt.getTime() + deps.tokenTtlMs),
        })),
      ),
    );
    await deps.store.ackWins(saleId, wins);
    total += wins.length;
    if (wins.length < BATCH) return total;
  }
}
