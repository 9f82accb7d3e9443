import { createHash } from 'node:crypto';
import type { ProductDocument } from '../domain/product-document';
import { MAPPING_VERSION } from './product-mapping';

/**
 * A product's facet print: a 32-bit number hashed (SHA-256) from the mapping's version, the
 * product's id and every field a search's facet counts read (search-body.ts `aggregations`:
 * category path, brand, tags, prices, attributes). Every write of a document carries it
 * (`withFacetPrint`), in a `long` field read only by the `_matched` aggregation: its sum, lowest
 * and highest over the products a search matches, with their count, tell whether the same
 * products match with the same facet values. A product entering or leaving the matches, or
 * changing a faceted field while in them, changes the figures; its stock, sales, rating or title
 * do not (the counts it is in stay held).
 *
 * One field, not two: each is read for every matching product of every search (two prints and
 * their count cost Elasticsearch ~0.15–0.4 ms more per search than one). The sum is exact while a
 * search matches fewer than 2^21 products (2^32 × 2^21 = 2^53, a double's integers); past that
 * Elasticsearch's rounding may differ between equal sets, which only counts them again. A change
 * goes unseen only when it leaves the sum exactly as it was: a chance of about 2^-32 per change,
 * and then until the next change to those matches or the hold's end (SEARCH_FACET_CACHE_MS).
 */
export interface FacetPrint {
  facet_print: number;
}

export function facetPrint(doc: ProductDocument): FacetPrint {
  const h = createHash('sha256')
    .update(
      JSON.stringify([
        // a new mapping may count the same values otherwise: its rebuilt index's prints differ
        MAPPING_VERSION,
        doc.product_id,
        doc.category_path_ids,
        doc.brand,
        doc.tags,
        doc.prices,
        (doc.attributes ?? []).map((a) => [a.name, a.value]),
      ]),
    )
    .digest();
  return { facet_print: h.readUInt32BE(0) };
}

/** The document as written: with its facet print (computed again from its fields each time). */
export const withFacetPrint = (doc: ProductDocument): ProductDocument & FacetPrint => ({
  ...doc,
  ...facetPrint(doc),
});
