import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { toProductDocument, type ProductSnapshot } from '../domain/product-document';
import { CATEGORY_NAMES, PRODUCT_INDEX, type CategoryNames, type ProductIndex } from './ports';

/**
 * Applies a product snapshot to the index, with its category path's names. Idempotent and
 * order-safe: the index keeps the highest product version it has seen, so a repeated or older
 * snapshot changes nothing.
 */
@Injectable()
export class IndexProductSnapshotUseCase {
  constructor(
    @Inject(PRODUCT_INDEX) private readonly index: ProductIndex,
    @Inject(CATEGORY_NAMES) private readonly categories: CategoryNames,
  ) {}

  async execute(
    _ctx: RequestContext,
    snapshot: ProductSnapshot,
    eventId: string,
  ): Promise<'applied' | 'stale'> {
    const path = snapshot.categoryPathIds.length ? snapshot.categoryPathIds : [snapshot.categoryId];
    const names = await this.categories.names(path.filter(Boolean));
    return this.index.upsert(toProductDocument(snapshot, eventId, names, new Date()));
  }
}
