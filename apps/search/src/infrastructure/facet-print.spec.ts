import { toProductDocument } from '../domain/product-document';
import { aSnapshot } from '../testing/builders';
import { facetPrint, withFacetPrint } from './facet-print';

describe('facet print', () => {
  const doc = toProductDocument(aSnapshot({ id: 'p1', brand: '华为' }), 'e', new Map(), new Date());

  it('is a 32-bit number, the same for the same faceted fields', () => {
    const { facet_print: n } = facetPrint(doc);
    expect(Number.isInteger(n)).toBe(true);
    expect(n).toBeGreaterThanOrEqual(0);
    expect(n).toBeLessThan(2 ** 32);
    expect(facetPrint({ ...doc })).toEqual({ facet_print: n });
  });

  it('does not move with what no facet counts: stock, sales, rating, title, versions', () => {
    expect(
      facetPrint({
        ...doc,
        in_stock: !doc.in_stock,
        units_sold: doc.units_sold + 7,
        rating_average: 4.5,
        review_count: 3,
        title: 'another title',
        description: 'another description',
        category_names: ['renamed'],
        version: doc.version + 1,
        indexed_at: new Date(0).toISOString(),
      }),
    ).toEqual(facetPrint(doc));
  });

  it('moves with the product and with every field a facet counts', () => {
    const changed = [
      { ...doc, product_id: 'p2' },
      { ...doc, brand: '小米' },
      { ...doc, category_path_ids: ['c9'] },
      { ...doc, tags: ['新品'] },
      { ...doc, prices: [doc.prices[0] + 1] },
      { ...doc, attributes: [{ name: 'colour', value: 'blue' }] },
    ];
    const prints = new Set(changed.map((d) => JSON.stringify(facetPrint(d))));
    prints.add(JSON.stringify(facetPrint(doc)));
    expect(prints.size).toBe(changed.length + 1);
  });

  it('is written with the document', () => {
    expect(withFacetPrint(doc)).toEqual({ ...doc, ...facetPrint(doc) });
  });
});
