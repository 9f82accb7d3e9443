import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@emporia/domain';
import { LOGGER, newContext, type Logger, type RequestContext } from '@emporia/platform';
import {
  dueListingAction,
  type ListingAction,
  parseScheduleTime,
  validateSchedule,
} from '../domain/listing-schedule';
import { checkVersion, type ProductPatch } from '../domain/product';
import { recordRefusedPublish } from './compliance-guard';
import {
  CLOCK,
  type CatalogTx,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  type ProductView,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';
import { requireProduct } from './product-rules';
import { UpdateProductUseCase } from './update-product.use-case';

/** The refusal of catalog-merch's publish guard (a regulated product without an approved review). */
export const COMPLIANCE_REVIEW_REQUIRED = 'COMPLIANCE_REVIEW_REQUIRED';

const PATCH_OF: Record<
  Exclude<ListingAction['kind'], 'none'>,
  (a: ListingAction) => ProductPatch
> = {
  publish: () => ({ status: 'ACTIVE', publishAt: null }),
  unpublish: () => ({ status: 'ARCHIVED', unpublishAt: null }),
  clear: (a) =>
    a.kind === 'clear' && a.field === 'publish_at' ? { publishAt: null } : { unpublishAt: null },
};

/**
 * Scheduled listing and delisting. ScheduleListing stores publish_at / unpublish_at on the
 * product; the `listing-schedule` sweep (once across replicas, the kit's advisory lock) acts on
 * due products one transaction each: it claims one `FOR UPDATE SKIP LOCKED`, re-reads it under
 * the lock, decides (`dueListingAction`) and applies the change through UpdateProduct in that
 * transaction, so the product's version moves once and one ProductUpdated goes through the outbox
 * with the change and the cleared time (`["status", "publish_at"]`). A second sweep, even one
 * running beside it without the lock, skips the row while it is held and finds it no longer due
 * once it is committed.
 */
@Injectable()
export class ListingScheduleUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly updateProduct: UpdateProductUseCase,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Replaces both times (empty clears); validated by `validateSchedule`. */
  async schedule(
    ctx: RequestContext,
    productId: string,
    input: { publishAt: string; unpublishAt: string; expectedVersion?: number },
  ): Promise<ProductView> {
    const wanted = {
      publishAt: parseScheduleTime('publish_at', input.publishAt),
      unpublishAt: parseScheduleTime('unpublish_at', input.unpublishAt),
    };
    return this.uow.run(ctx, async (tx) => {
      const product = await requireProduct(tx, productId, true);
      checkVersion(product, input.expectedVersion);
      const s = validateSchedule(product, wanted, this.clock.now());
      return this.updateProduct.execute(
        ctx,
        productId,
        { publishAt: s.publishAt, unpublishAt: s.unpublishAt },
        tx,
      );
    });
  }

  /**
   * The sweep: up to `limit` changes of due products, one transaction each; returns how many it
   * made. A publish that catalog-merch's guard refuses (COMPLIANCE_REVIEW_REQUIRED) rolls back,
   * then publish_at is cleared in a transaction of its own (the product stays DRAFT; its
   * compliance status says why) and logged. A product failing otherwise is logged and left for
   * the next run (skipped for the rest of this one).
   */
  async runDue(ctx: RequestContext = newContext(), limit = 100): Promise<number> {
    // a product that failed (or had nothing to do) is not claimed again in this run; one that
    // changed may be (publish, then unpublish): each change clears a time, so it cannot loop
    const skip: string[] = [];
    let changed = 0;
    for (let i = 0; i < limit; i++) {
      const claim: { id: string | null } = { id: null };
      try {
        const acted = await this.uow.run(ctx, async (tx) => {
          claim.id = await tx.listingSchedule.claimDue(this.clock.now(), skip);
          return claim.id ? this.act(ctx, tx, claim.id) : null;
        });
        if (!claim.id) break;
        if (!acted) skip.push(claim.id);
        else {
          changed++;
          this.logger.info({ productId: claim.id, action: acted }, 'listing schedule applied');
        }
      } catch (err) {
        if (!claim.id) throw err;
        skip.push(claim.id);
        if (err instanceof DomainError && err.code === COMPLIANCE_REVIEW_REQUIRED) {
          if (await this.refused(ctx, claim.id, `scheduled publish: ${err.message}`)) changed++;
          this.logger.warn(
            { productId: claim.id, code: err.code, err: err.message },
            'scheduled publish refused: compliance review required; publish_at cleared, product stays DRAFT',
          );
        } else this.logger.error({ err, productId: claim.id }, 'listing schedule failed');
      }
    }
    return changed;
  }

  /** Applies the due action under the product's lock; returns its kind, or null when none is due. */
  private async act(
    ctx: RequestContext,
    tx: CatalogTx,
    productId: string,
  ): Promise<ListingAction['kind'] | null> {
    const product = await requireProduct(tx, productId, true);
    const action = dueListingAction(product, this.clock.now());
    if (action.kind === 'none') return null;
    await this.updateProduct.execute(ctx, productId, PATCH_OF[action.kind](action), tx);
    return action.kind;
  }

  /**
   * After a refused publish (rolled back): the refusal in the compliance audit trail, then
   * publish_at cleared if the product is still due to publish.
   */
  private async refused(ctx: RequestContext, productId: string, why: string): Promise<boolean> {
    await recordRefusedPublish(this.uow, ctx, this.clock, this.ids, productId, why);
    return this.uow.run(ctx, async (tx) => {
      const product = await requireProduct(tx, productId, true);
      if (dueListingAction(product, this.clock.now()).kind !== 'publish') return false;
      await this.updateProduct.execute(ctx, productId, { publishAt: null }, tx);
      return true;
    });
  }
}
