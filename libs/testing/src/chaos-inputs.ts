import { setUpChaosShop, type ChaosShop, type MixedLoad } from './chaos-load';
import type { InvariantInputs } from './invariants';
import type { Platform } from './platform';

/**
 * The invariants' inputs for a platform under the mixed load: what every load so far was told
 * (orders answered 201, payments answered PAID, flash-sale tokens won), the platform's databases,
 * its flash sale with marketing's reconciliation, and its search index.
 */
export function chaosInvariantInputs(
  platform: Platform,
  shop: ChaosShop,
  loads: readonly MixedLoad[],
  elasticsearchUrl: string,
): InvariantInputs {
  const checkouts = new Map<string, string>();
  const paid = new Set<string>();
  const tokens = new Set<string>();
  for (const l of loads) {
    l.checkouts.forEach((k, id) => checkouts.set(id, k));
    l.paid.forEach((id) => paid.add(id));
    l.flashTokens.forEach((t) => tokens.add(t));
  }
  const db = platform.databases;
  return {
    databases: { catalog: db.catalog!, order: db.order!, user: db.user!, marketing: db.marketing! },
    checkouts,
    paid,
    flash: {
      saleId: shop.flashSale.id,
      stock: shop.flashSale.stock,
      perUserLimit: shop.flashSale.perUserLimit,
      tokens,
      reconciliation: async () => {
        const r = await platform.api(
          'GET',
          `/v1/admin/flash-sales/${shop.flashSale.id}`,
          undefined,
          shop.operator,
        );
        return r.status === 200 ? r.body.reconciliation : { error: `${r.status} ${r.body?.code}` };
      },
    },
    search: {
      elasticsearchUrl,
      alias: `${platform.processes.search.env.SEARCH_INDEX_PREFIX}products`,
    },
  };
}

/**
 * The chaos shop (`setUpChaosShop`) made through the platform's gateway, its operator an account
 * of the run given the operator role.
 */
export function setUpChaosShopOn(
  platform: Platform,
  opts: { skus?: number; shoppers?: number; flashStock?: number },
): Promise<ChaosShop> {
  return setUpChaosShop(platform.gatewayUrl, {
    suffix: platform.suffix,
    operator: async () =>
      (
        await platform.signIn(
          `ops.${platform.suffix}@example.cn`,
          'a long enough password',
          'customer,operator',
        )
      ).auth,
    ...opts,
  });
}
