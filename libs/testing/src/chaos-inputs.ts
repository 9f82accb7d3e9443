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
  // every service database of the platform: outboxes published and inboxes applied once everywhere
  const others = Object.fromEntries(
    Object.entries(db).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return {
    databases: {
      ...others,
      catalog: db.catalog!,
      order: db.order!,
      user: db.user!,
      marketing: db.marketing!,
    },
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

/** Risk's seeded rule "more than 10 orders an hour from one account". */
export const ACCOUNT_VELOCITY_RULE = '00000000-0000-4000-8000-000000000006';

/**
 * Raises risk's per-account order velocity rule to `threshold` through the operator API (what
 * GET shows, minus its id, PUT back), and waits the second it takes to be in force. The mixed
 * load's few shoppers place thousands of orders each: under the seeded rule every order after an
 * account's tenth in an hour is held for review and never paid. A run that raises it says so.
 */
export async function raiseAccountVelocityRule(
  platform: Platform,
  shop: ChaosShop,
  threshold = 1_000_000,
): Promise<void> {
  const rules = await platform.api('GET', '/v1/admin/risk/rules', undefined, shop.operator);
  const velocity = (rules.body.items as ({ id: string } & Record<string, unknown>)[]).find(
    (r) => r.id === ACCOUNT_VELOCITY_RULE,
  );
  if (!velocity) throw new Error(`no rule ${ACCOUNT_VELOCITY_RULE}: ${JSON.stringify(rules.body)}`);
  const { id: _id, ...rule } = velocity;
  const put = await platform.api(
    'PUT',
    `/v1/admin/risk/rules/${ACCOUNT_VELOCITY_RULE}`,
    { ...rule, threshold },
    shop.operator,
  );
  if (put.status !== 200) throw new Error(`raising the velocity rule: ${JSON.stringify(put.body)}`);
  await new Promise((r) => setTimeout(r, 1500));
}
