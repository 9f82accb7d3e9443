import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { checkVersion } from '../domain/product';
import { manualTags, planRuleTags, retag, type TagRule, tagRules } from '../domain/tag';
import { CLOCK, type Clock, type ProductView, UNIT_OF_WORK, type UnitOfWork } from './ports';
import { requireProduct } from './product-rules';
import { loadProductView } from './product-view';

const DAY_MS = 86_400_000;

/** Manual tags, the tag rules, and the sweep that gives and takes rule tags. */
@Injectable()
export class TagsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Replaces a product's manual tags; a change is a new version and ProductUpdated ["tags"]. */
  async setManualTags(
    ctx: RequestContext,
    productId: string,
    tags: readonly string[],
    expectedVersion?: number,
  ): Promise<ProductView> {
    const valid = manualTags(tags);
    return this.uow.run(ctx, async (tx) => {
      const current = await requireProduct(tx, productId, true);
      checkVersion(current, expectedVersion);
      const { product, changed } = retag(current, { manualTags: valid }, this.clock.now());
      if (changed) await tx.products.save(product);
      const view = await loadProductView(tx, product, { rating: true });
      if (changed) tx.events.productUpdated(view, ['tags']);
      return view;
    });
  }

  listRules(ctx: RequestContext): Promise<TagRule[]> {
    return this.uow.run(ctx, (tx) => tx.tags.rules());
  }

  /** Replaces every rule; products follow at the next sweep. */
  async replaceRules(ctx: RequestContext, rules: readonly TagRule[]): Promise<TagRule[]> {
    const valid = tagRules(rules);
    return this.uow.run(ctx, async (tx) => {
      await tx.tags.replaceRules(valid);
      return tx.tags.rules();
    });
  }

  /**
   * Re-evaluates every rule (the kit runs it once across replicas): reads what each rule
   * selects now, then retags each product whose rule tags differ in a short transaction of its
   * own under its row lock. Only a product whose visible tags change gets a new version and a
   * ProductUpdated ["tags"]. Returns how many products got new rule tags.
   */
  async sweep(ctx: RequestContext): Promise<number> {
    const now = this.clock.now();
    const plan = await this.uow.run(ctx, async (tx) => {
      const selected = new Map<string, string[]>();
      for (const rule of await tx.tags.rules()) {
        const since = new Date(now.getTime() - rule.days * DAY_MS);
        selected.set(
          rule.tag,
          rule.kind === 'NEW_ARRIVAL'
            ? await tx.tags.firstPublishedSince(since)
            : await tx.tags.bestSellers(since, rule.top, rule.minUnits),
        );
      }
      return planRuleTags(selected, await tx.tags.ruleTagged());
    });
    for (const [productId, ruleTags] of plan)
      await this.uow.run(ctx, async (tx) => {
        const current = await tx.products.get(productId, { forUpdate: true });
        if (!current) return;
        const { product, changed } = retag(current, { ruleTags }, this.clock.now());
        await tx.products.save(product);
        if (changed) tx.events.productUpdated(await loadProductView(tx, product), ['tags']);
      });
    return plan.size;
  }
}
