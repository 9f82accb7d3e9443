import { createHash } from 'node:crypto';
import type { ProductDocument } from '../domain/product-document';

/**
 * A product's facet print: two 32-bit numbers hashed (SHA-256) from the product's id and every
 * field a search's facet counts read (search-body.ts `aggregations`: category path, brand, tags,
 * prices, attributes). Every write of a document carries it (`withFacetPrint`), in two `long`
 * fields read only by the `_matched` aggregation: their sums over the products a search matches,
 * with their count, tell whether the same products match with the same facet values. A product
 * entering or leaving the matches, or changing a faceted field while in them, changes the sums;
 * its stock, sales, rating or title do not (the counts it is in stay held).
 *
 * The sums are exact while a search matches fewer than 2^21 products (2^32 × 2^21 = 2^53, a
 * double's integers); past that Elasticsearch's rounding may differ between equal sets, which only
 * counts them again. Two different sets give equal figures with a chance of about 2^-64.
 */
export interface FacetPrint {
  facet_print_a: number;
  facet_print_b: number;
}

export function facetPrint(doc: ProductDocument): FacetPrint {
  const h = createHash('sha256')
    .update(
      JSON.stringify([
        doc.product_id,
        doc.category_path_ids,
        doc.brand,
        doc.tags,
        doc.prices,
        (doc.attributes ?? []).map((a) => [a.name, a.value]),
      ]),
    )
    .digest();
  return { facet_print_a: h.readUInt32BE(0), facet_print_b: h.readUInt32BE(4) };
}

/** The document as written: with its facet print (computed again from its fields each time). */
export const withFacetPrint = (doc: ProductDocument): ProductDocument & FacetPrint => ({
  ...doc,
  ...facetPrint(doc),
});
