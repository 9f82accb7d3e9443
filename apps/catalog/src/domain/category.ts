import { CatalogError, invalid } from './catalog-error';

/**
 * A node of the category tree. `pathIds` is the materialised path from the root to this node
 * inclusive, so "is X in the subtree of Y" is `X.pathIds.includes(Y.id)`.
 */
export interface Category {
  id: string;
  name: string;
  slug: string;
  parentId: string | null;
  pathIds: string[];
  /** This node's own regulated mark (compliance review before publishing). */
  regulatedMarked: boolean;
  /** Regulated: this node or any ancestor is marked (kept on every node of the subtree). */
  regulated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const depthOf = (c: Pick<Category, 'pathIds'>): number => c.pathIds.length - 1;

const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function validateCategoryName(name: string): string {
  const trimmed = (name ?? '').trim();
  if (trimmed.length === 0 || trimmed.length > 100) {
    throw invalid('CATEGORY_NAME_INVALID', 'category name must be 1 to 100 characters');
  }
  return trimmed;
}

export function validateSlug(slug: string): string {
  if (!SLUG_RE.test(slug ?? '') || slug.length > 100) {
    throw invalid(
      'CATEGORY_SLUG_INVALID',
      `slug '${slug}' must be lower-case words of a-z and 0-9 joined by '-', at most 100 characters`,
    );
  }
  return slug;
}

export function newCategory(input: {
  id: string;
  name: string;
  slug: string;
  parent: Category | null;
  now: Date;
  regulated?: boolean;
}): Category {
  const regulatedMarked = input.regulated ?? false;
  return {
    id: input.id,
    name: validateCategoryName(input.name),
    slug: validateSlug(input.slug),
    parentId: input.parent?.id ?? null,
    pathIds: [...(input.parent?.pathIds ?? []), input.id],
    regulatedMarked,
    regulated: regulatedMarked || (input.parent?.regulated ?? false),
    createdAt: input.now,
    updatedAt: input.now,
  };
}

export function renameCategory(
  c: Category,
  patch: { name?: string; slug?: string },
  now: Date,
): { category: Category; changed: boolean } {
  const name = patch.name === undefined ? c.name : validateCategoryName(patch.name);
  const slug = patch.slug === undefined ? c.slug : validateSlug(patch.slug);
  const changed = name !== c.name || slug !== c.slug;
  return { category: changed ? { ...c, name, slug, updatedAt: now } : c, changed };
}

/**
 * Moves `category` with its whole subtree under `newParent` (null: to the root). Refuses to
 * create a cycle (moving a node under itself or one of its descendants). `descendants` must be
 * every node whose path contains `category.id` other than the category itself. Returns every
 * node whose path changed, the moved category first; empty when the parent is unchanged.
 */
export function planMove(
  category: Category,
  newParent: Category | null,
  descendants: readonly Category[],
  now: Date,
): Category[] {
  if (newParent && newParent.pathIds.includes(category.id)) {
    throw new CatalogError(
      'FAILED_PRECONDITION',
      'CATEGORY_CYCLE',
      newParent.id === category.id
        ? `category ${category.id} cannot be its own parent`
        : `category ${newParent.id} is inside the subtree of ${category.id}: moving there would create a cycle`,
      { id: category.id, newParentId: newParent.id },
    );
  }
  if ((newParent?.id ?? null) === category.parentId) return [];
  const prefix = newParent?.pathIds ?? [];
  const cut = category.pathIds.length - 1; // index of category.id in every subtree path
  const rebase = (c: Category): Category => {
    if (c.pathIds[cut] !== category.id) {
      throw new Error(`invariant: ${c.id} is not in the subtree of ${category.id}`);
    }
    return { ...c, pathIds: [...prefix, ...c.pathIds.slice(cut)], updatedAt: now };
  };
  const moved = [
    { ...rebase(category), parentId: newParent?.id ?? null },
    ...descendants.map(rebase),
  ];
  return inheritRegulated(moved, newParent?.regulated ?? false);
}

/**
 * Recomputes `regulated` down a subtree: `nodes` is a subtree root followed by its descendants
 * in depth order (parents before children), `aboveRoot` whether the root's parent is regulated.
 */
export function inheritRegulated(nodes: readonly Category[], aboveRoot: boolean): Category[] {
  const regulatedById = new Map<string, boolean>();
  return nodes.map((c, i) => {
    const parentRegulated =
      i === 0 ? aboveRoot : (c.parentId !== null && regulatedById.get(c.parentId)) || false;
    const regulated = c.regulatedMarked || parentRegulated;
    regulatedById.set(c.id, regulated);
    return regulated === c.regulated ? c : { ...c, regulated };
  });
}

/**
 * Marks or unmarks `category` as regulated. `descendants` in depth order, `parent` its parent
 * (null at the root). Returns every node whose mark or inherited flag changed (empty: none).
 */
export function markRegulated(
  category: Category,
  marked: boolean,
  parent: Category | null,
  descendants: readonly Category[],
  now: Date,
): Category[] {
  if (category.regulatedMarked === marked) return [];
  const before = new Map([category, ...descendants].map((c) => [c.id, c.regulated]));
  const next = inheritRegulated(
    [{ ...category, regulatedMarked: marked }, ...descendants],
    parent?.regulated ?? false,
  );
  return next
    .filter((c, i) => i === 0 || before.get(c.id) !== c.regulated)
    .map((c) => ({ ...c, updatedAt: now }));
}
