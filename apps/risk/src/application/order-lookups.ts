import type { OrderLookups, ReturnFactStore, RiskStore } from './ports';

/**
 * An order's lookups as two reads of their own ports: the list hits from `store`, the return
 * history from `returns` (only when asked), at once. What `RiskUseCase` uses when it is given no
 * `OrderLookups` of its own: the in-memory stores of the use-case tests and of the fraud model's
 * generator (tools/fraud-model/generate.ts). The service wires `SqlOrderLookups`, one statement.
 */
export const separateLookups = (store: RiskStore, returns: ReturnFactStore): OrderLookups => ({
  async read(values, history) {
    const [listed, stats] = await Promise.all([
      store.listed(values),
      history ? returns.stats(history.accountId, history.windows, history.now) : undefined,
    ]);
    return stats ? { listed, returns: stats } : { listed };
  },
});
