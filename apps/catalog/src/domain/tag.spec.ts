import { manualTags, planRuleTags, productTags, retag, tagRules, type TagRule } from './tag';
import { createProduct, updateProduct } from './product';

const now = new Date('2026-11-25T10:00:00Z');
const product = () =>
  createProduct(
    {
      title: 'Tea',
      categoryId: 'c1',
      skus: [{ code: 'TEA-1', price: { amountMinor: 100, currency: 'CNY' } }],
    },
    { id: 'p1', newSkuId: () => 's1' },
    now,
  );
const rule = (over: Partial<TagRule>): TagRule => ({
  tag: '爆款',
  kind: 'BEST_SELLER',
  days: 7,
  top: 20,
  minUnits: 1,
  ...over,
});

describe('tags', () => {
  it('manual tags: trimmed, NFKC-normalised, sorted; 1..20 characters, at most 10, no duplicates', () => {
    expect(manualTags([' 促销 ', 'ＳＡＬＥ', '新品'])).toEqual(['SALE', '促销', '新品']);
    expect(manualTags(['好'.repeat(20)])).toEqual(['好'.repeat(20)]);
    for (const bad of [
      [''],
      ['   '],
      ['x'.repeat(21)],
      ['a\u0007b'],
      ['sale', 'ｓａｌｅ'], // the same tag once normalised
      Array.from({ length: 11 }, (_, i) => `t${i}`),
    ])
      expect(() => manualTags(bad)).toThrow(expect.objectContaining({ code: 'TAGS_INVALID' }));
  });

  it('tag rules: days 1..365; BEST_SELLER needs top and min_units; NEW_ARRIVAL ignores them; one rule per tag', () => {
    expect(tagRules([rule({}), rule({ tag: '新品', kind: 'NEW_ARRIVAL', days: 30 })])).toEqual([
      rule({}),
      { tag: '新品', kind: 'NEW_ARRIVAL', days: 30, top: 0, minUnits: 0 },
    ]);
    const bad: [Partial<TagRule>, number][] = [
      [{ days: 0 }, 0],
      [{ days: 366 }, 0],
      [{ days: 1.5 }, 0],
      [{ top: 0 }, 0],
      [{ minUnits: 0 }, 0],
      [{ tag: '' }, 0],
      [{ kind: 'SALE' as TagRule['kind'] }, 0],
    ];
    for (const [over, index] of bad)
      expect(() => tagRules([rule(over)])).toThrow(
        expect.objectContaining({ code: 'TAG_RULES_INVALID', details: { index } }),
      );
    expect(() => tagRules([rule({}), rule({ days: 3 })])).toThrow(
      expect.objectContaining({ code: 'TAG_RULES_INVALID', details: { index: 1 } }),
    );
  });

  it('plans only the products whose rule tags differ, including those losing every rule tag', () => {
    const plan = planRuleTags(
      new Map([
        ['新品', ['a', 'b']],
        ['爆款', ['b', 'c']],
      ]),
      new Map([
        ['a', ['新品']], // unchanged
        ['b', ['爆款']], // gains 新品
        ['d', ['爆款']], // fell out
      ]),
    );
    expect(plan).toEqual(
      new Map([
        ['b', ['新品', '爆款'].sort()],
        ['c', ['爆款']],
        ['d', []],
      ]),
    );
  });

  it('tags are the sorted union; a new version only when the union or the manual tags change', () => {
    const p = { ...product(), manualTags: ['爆款'] };
    expect(productTags({ manualTags: ['促销', '爆款'], ruleTags: ['爆款', '新品'] })).toEqual(
      ['促销', '新品', '爆款'].sort(),
    );
    // a rule tag a manual tag already gives: stored, same version
    const same = retag(p, { ruleTags: ['爆款'] }, now);
    expect(same.changed).toBe(false);
    expect(same.product).toMatchObject({ version: 1, ruleTags: ['爆款'] });
    const more = retag(same.product, { ruleTags: ['新品', '爆款'] }, now);
    expect(more).toMatchObject({ changed: true, product: { version: 2 } });
    expect(retag(p, { manualTags: ['促销'] }, now)).toMatchObject({
      changed: true,
      product: { version: 2, manualTags: ['促销'] },
    });
  });

  it('records the first publication: at creation when ACTIVE, at the first move to ACTIVE otherwise', () => {
    expect(product().firstPublishedAt).toEqual(now);
    const draft = { ...product(), status: 'DRAFT' as const, firstPublishedAt: null };
    const later = new Date(now.getTime() + 3_600_000);
    const live = updateProduct(draft, { status: 'ACTIVE' }, () => 'x', later).product;
    expect(live.firstPublishedAt).toEqual(later);
    const archived = updateProduct(live, { status: 'ARCHIVED' }, () => 'x', later).product;
    const again = updateProduct(
      archived,
      { status: 'ACTIVE' },
      () => 'x',
      new Date(later.getTime() + 1),
    );
    expect(again.product.firstPublishedAt).toEqual(later);
  });
});
