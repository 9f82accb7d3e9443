import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { toProductDocument, type ProductSnapshot } from '../domain/product-document';
import { docRating } from '../domain/product-rating';
import {
  CATEGORY_NAMES,
  PRODUCT_INDEX,
  PRODUCT_RATINGS,
  type CategoryNames,
  type ProductIndex,
  type ProductRatings,
} from './ports';

/**
 * Applies a product snapshot to the index, with its category path's names and the rating
 * search holds for it (catalog's snapshot does not carry one). Idempotent and order-safe: the
 * index keeps the highest product version it has seen, so a repeated or older snapshot changes
 * nothing. A rating stored while the snapshot was being written is applied after it: the
 * rating's consumer writes the store then the document, this writes the document then reads
 * the store again, so neither loses the other's change.
 */
@Injectable()
export class IndexProductSnapshotUseCase {
  constructor(
    @Inject(PRODUCT_INDEX) private readonly index: ProductIndex,
    @Inject(CATEGORY_NAMES) private readonly categories: CategoryNames,
    @Inject(PRODUCT_RATINGS) private readonly ratings: ProductRatings,
  ) {}

  async execute(
    _ctx: RequestContext,
    snapshot: ProductSnapshot,
    eventId: string,
  ): Promise<'applied' | 'stale'> {
    const path = snapshot.categoryPathIds.length ? snapshot.categoryPathIds : [snapshot.categoryId];
    const names = await this.categories.names(path.filter(Boolean));
    const rating = (await this.ratings.forProducts([snapshot.id])).get(snapshot.id);
    const outcome = await this.index.upsert(
      toProductDocument(snapshot, eventId, names, new Date(), rating),
    );
    if (outcome === 'applied') {
      const now = (await this.ratings.forProducts([snapshot.id])).get(snapshot.id);
      if (now && now.version !== rating?.version)
        await this.index.setRating(snapshot.id, docRating(now));
    }
    return outcome;
  }
}
