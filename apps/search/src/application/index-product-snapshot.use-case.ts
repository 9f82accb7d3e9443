import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { toProductDocument, type ProductSnapshot } from '../domain/product-document';
import { PRODUCT_INDEX, type ProductIndex } from './ports';

/**
 * Applies a product snapshot to the index. Idempotent and order-safe: the index keeps the
 * highest product version it has seen, so a repeated or older snapshot changes nothing.
 */
@Injectable()
export class IndexProductSnapshotUseCase {
  constructor(@Inject(PRODUCT_INDEX) private readonly index: ProductIndex) {}

  execute(
    _ctx: RequestContext,
    snapshot: ProductSnapshot,
    eventId: string,
  ): Promise<'applied' | 'stale'> {
    return this.index.upsert(toProductDocument(snapshot, eventId));
  }
}
