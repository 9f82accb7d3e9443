import { CatalogError } from './catalog-error';
import { type Category, depthOf, newCategory, planMove, renameCategory } from './category';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-02T00:00:00Z');

/** Builds a tree from "child:parent" pairs (parent '' = root). */
function tree(spec: string[]): Record<string, Category> {
  const nodes: Record<string, Category> = {};
  for (const pair of spec) {
    const [id, parent] = pair.split(':');
    nodes[id] = newCategory({
      id,
      name: id.toUpperCase(),
      slug: id,
      parent: parent ? nodes[parent] : null,
      now,
    });
  }
  return nodes;
}

const subtreeOf = (nodes: Record<string, Category>, id: string) =>
  Object.values(nodes).filter((c) => c.id !== id && c.pathIds.includes(id));

describe('category tree', () => {
  const t = tree(['a:', 'b:a', 'c:b', 'd:c', 'x:', 'y:x']);

  it('keeps the root-to-node path at any depth', () => {
    expect(t.d.pathIds).toEqual(['a', 'b', 'c', 'd']);
    expect(depthOf(t.d)).toBe(3);
    expect(depthOf(t.a)).toBe(0);
    expect(t.c.parentId).toBe('b');
    expect(t.x.parentId).toBeNull();
  });

  it('moves a subtree and rebases every descendant path', () => {
    const moved = planMove(t.b, t.y, subtreeOf(t, 'b'), later);
    const byId = Object.fromEntries(moved.map((c) => [c.id, c]));
    expect(moved.map((c) => c.id)).toEqual(['b', 'c', 'd']);
    expect(byId.b.parentId).toBe('y');
    expect(byId.b.pathIds).toEqual(['x', 'y', 'b']);
    expect(byId.c.pathIds).toEqual(['x', 'y', 'b', 'c']);
    expect(byId.d.pathIds).toEqual(['x', 'y', 'b', 'c', 'd']);
    expect(byId.c.parentId).toBe('b');
    expect(byId.d.updatedAt).toBe(later);
  });

  it('moves a subtree to the root', () => {
    const moved = planMove(t.c, null, subtreeOf(t, 'c'), later);
    expect(moved[0]).toMatchObject({ id: 'c', parentId: null, pathIds: ['c'] });
    expect(moved[1].pathIds).toEqual(['c', 'd']);
  });

  it.each([
    ['itself', 'b', 'b'],
    ['its child', 'b', 'c'],
    ['a deep descendant', 'a', 'd'],
  ])('refuses to move a category under %s (cycle)', (_label, id, target) => {
    expect(() => planMove(t[id], t[target], subtreeOf(t, id), later)).toThrow(
      expect.objectContaining({ code: 'CATEGORY_CYCLE', kind: 'FAILED_PRECONDITION' }),
    );
  });

  it('is a no-op when the parent does not change', () => {
    expect(planMove(t.c, t.b, subtreeOf(t, 'c'), later)).toEqual([]);
    expect(planMove(t.a, null, subtreeOf(t, 'a'), later)).toEqual([]);
  });

  it('allows moving next to or above where it was (not a cycle)', () => {
    expect(planMove(t.d, t.a, [], later)[0].pathIds).toEqual(['a', 'd']);
  });

  it.each([
    ['', 'ok-slug', 'CATEGORY_NAME_INVALID'],
    ['x'.repeat(101), 'ok-slug', 'CATEGORY_NAME_INVALID'],
    ['Phones', 'Phones', 'CATEGORY_SLUG_INVALID'],
    ['Phones', 'phones--x', 'CATEGORY_SLUG_INVALID'],
    ['Phones', '-phones', 'CATEGORY_SLUG_INVALID'],
    ['Phones', 'phones x', 'CATEGORY_SLUG_INVALID'],
  ])('rejects name %p slug %p with %s', (name, slug, code) => {
    expect(() => newCategory({ id: 'z', name, slug, parent: null, now })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('renames, reporting whether anything changed', () => {
    expect(renameCategory(t.a, { name: '  A  ' }, later).changed).toBe(false);
    const r = renameCategory(t.a, { name: 'Apparel', slug: 'apparel' }, later);
    expect(r).toMatchObject({
      changed: true,
      category: { name: 'Apparel', slug: 'apparel', updatedAt: later },
    });
    expect(() => renameCategory(t.a, { slug: 'BAD' }, later)).toThrow(CatalogError);
  });
});
