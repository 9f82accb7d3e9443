import { useQuery } from '@tanstack/react-query';
import { ok, type components } from '@emporia/sdk';
import { api } from '../../sdk';

export type Category = components['schemas']['CategoryView'];
export type Product = components['schemas']['ProductView'] &
  Partial<
    Pick<
      components['schemas']['ProductAdminView'],
      'manualTags' | 'publishAt' | 'unpublishAt' | 'complianceStatus'
    >
  >;
export type Sku = components['schemas']['SkuView'];
export type Warehouse = components['schemas']['WarehouseView'];
export type Currency = components['schemas']['MoneyDto']['currency'];

export const CURRENCIES: Currency[] = [
  'CNY',
  'HKD',
  'MOP',
  'TWD',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'KRW',
  'SGD',
];
export const PRODUCT_STATUSES = ['draft', 'active', 'archived'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export const catalogKeys = {
  categories: ['catalog', 'categories'] as const,
  warehouses: ['catalog', 'warehouses'] as const,
  products: ['catalog', 'products'] as const,
  product: (id: string) => ['catalog', 'product', id] as const,
  stock: (skuId: string) => ['catalog', 'stock', skuId] as const,
  thresholds: (skuId: string) => ['catalog', 'thresholds', skuId] as const,
  priceHistory: (skuId: string) => ['catalog', 'price-history', skuId] as const,
  lowStock: ['catalog', 'low-stock'] as const,
};

/** Every category (all pages of `?all=true`). */
async function allCategories(): Promise<Category[]> {
  const out: Category[] = [];
  let cursor: string | undefined;
  do {
    const page = await ok(
      api.GET('/v1/categories', { params: { query: { all: 'true', limit: 100, cursor } } }),
    );
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

export const useCategories = () =>
  useQuery({ queryKey: catalogKeys.categories, queryFn: allCategories });

/** Every warehouse (all pages). */
async function allWarehouses(): Promise<Warehouse[]> {
  const out: Warehouse[] = [];
  let cursor: string | undefined;
  do {
    const page = await ok(
      api.GET('/v1/admin/warehouses', { params: { query: { limit: 100, cursor } } }),
    );
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

export const useWarehouses = () =>
  useQuery({ queryKey: catalogKeys.warehouses, queryFn: allWarehouses, staleTime: 60_000 });

export interface CategoryNode {
  id: string;
  category: Category;
  children: CategoryNode[];
}

/** The categories as a tree, each level sorted by name. */
export function categoryTree(categories: readonly Category[]): CategoryNode[] {
  const nodes = new Map<string, CategoryNode>();
  for (const c of categories) nodes.set(c.id, { id: c.id, category: c, children: [] });
  const roots: CategoryNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.category.parentId ? nodes.get(node.category.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const sort = (list: CategoryNode[]) => {
    list.sort((a, b) => a.category.name.localeCompare(b.category.name));
    list.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
}

/** The categories in tree order with their depth (for pickers): `— — 手机壳`. */
export function flatTree(roots: readonly CategoryNode[]): { category: Category; depth: number }[] {
  const out: { category: Category; depth: number }[] = [];
  const walk = (list: readonly CategoryNode[], depth: number) => {
    for (const n of list) {
      out.push({ category: n.category, depth });
      walk(n.children, depth + 1);
    }
  };
  walk(roots, 0);
  return out;
}

/** The path of a category by names: 数码 / 手机 / 手机壳. */
export function categoryPath(categories: readonly Category[], id: string): string {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const c = byId.get(id);
  if (!c) return id;
  return c.pathIds.map((p) => byId.get(p)?.name ?? '…').join(' / ');
}

/** `color=black; size=M` → { color: 'black', size: 'M' } (blank parts ignored). */
export function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/[;；\n]/)) {
    const [k, ...v] = part.split(/[=:：]/);
    const key = k?.trim();
    if (key) out[key] = v.join('=').trim();
  }
  return out;
}

export const formatAttributes = (attrs: Record<string, string>) =>
  Object.entries(attrs)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
