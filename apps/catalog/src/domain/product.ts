import { Money, MoneyError } from '@emporia/money';
import { CatalogError, invalid } from './catalog-error';
import { ANY_ISO_CURRENCY, type SoldCurrencies, unsoldCurrency } from './currencies';
import { checkOriginalAbovePrice } from './price-history';
import { type ComplianceState, invalidatedByEdit } from './compliance';

export type ProductStatus = 'DRAFT' | 'ACTIVE' | 'ARCHIVED';

export interface Sku {
  id: string;
  code: string;
  attributes: Record<string, string>;
  price: Money;
  /** The displayed original price (划线价), above `price`; null for none (price-history.ts). */
  originalPrice: Money | null;
}

/** The product aggregate: it guards every change to itself and its SKUs. */
export interface Product {
  id: string;
  title: string;
  description: string;
  brand: string;
  categoryId: string;
  status: ProductStatus;
  skus: Sku[];
  /** +1 on every change; event consumers use it to drop stale snapshots. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  // Listing schedule (issue 18): when the listing sweep publishes / unpublishes it; null for none.
  publishAt: Date | null;
  unpublishAt: Date | null;
  // issue 18 (catalog-merch): tags and compliance review (tag.ts, compliance.ts)
  /** Tags set by operators (SetProductTags). */
  manualTags: string[];
  /** Tags the tag rules give, as the last sweep left them. */
  ruleTags: string[];
  /** When the product first became ACTIVE (NEW_ARRIVAL); null while never published. */
  firstPublishedAt: Date | null;
  /** Where its content stands in compliance review; shown only in regulated categories. */
  compliance: ComplianceState;
}

export interface SkuInput {
  code: string;
  attributes?: Record<string, string>;
  price?: { amountMinor: number; currency: string };
  /** Unset: the SKU shows no original price. */
  originalPrice?: { amountMinor: number; currency: string };
}

export const LIMITS = {
  title: 200,
  description: 10_000,
  brand: 100,
  skus: 100,
  attributes: 30,
  attributeKey: 64,
  attributeValue: 256,
} as const;

const SKU_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Legal status changes; anything else is PRODUCT_STATUS_TRANSITION. */
const TRANSITIONS: Record<ProductStatus, ProductStatus[]> = {
  DRAFT: ['ACTIVE', 'ARCHIVED'],
  ACTIVE: ['ARCHIVED'],
  ARCHIVED: ['ACTIVE'],
};

function text(field: string, value: string | undefined, max: number, required: boolean): string {
  const v = (value ?? '').trim();
  if (required && v.length === 0)
    throw invalid('PRODUCT_FIELD_REQUIRED', `${field} is required`, { field });
  if (v.length > max)
    throw invalid('PRODUCT_FIELD_TOO_LONG', `${field} must be at most ${max} characters`, {
      field,
      max,
    });
  return v;
}

function price(
  input: SkuInput['price'] | undefined,
  code: string,
  sold: SoldCurrencies,
  field = 'price',
): Money {
  if (!input)
    throw invalid('SKU_PRICE_REQUIRED', `SKU ${code} needs a price`, { sku: code, field });
  let money: Money;
  try {
    money = Money.of(input.amountMinor, input.currency);
  } catch (e) {
    if (e instanceof MoneyError)
      throw invalid('SKU_PRICE_INVALID', `SKU ${code}: ${e.message}`, { sku: code, field });
    throw e;
  }
  if (money.isNegative())
    throw invalid('SKU_PRICE_NEGATIVE', `SKU ${code}: ${field} must not be negative`, {
      sku: code,
      field,
    });
  const unsold = unsoldCurrency(money.currency, sold);
  if (unsold) throw invalid('SKU_PRICE_INVALID', `SKU ${code}: ${unsold}`, { sku: code, field });
  return money;
}

/**
 * A SKU's price and displayed original price, checked on their own (currency, sign, original
 * above price). The 30-day rule needs the price history: `checkOriginalPrice` with
 * `lowestPriceBefore` (price-history.ts), applied by the use cases.
 */
export function skuPrices(
  input: Pick<SkuInput, 'price' | 'originalPrice'>,
  code: string,
  sold: SoldCurrencies = ANY_ISO_CURRENCY,
): { price: Money; originalPrice: Money | null } {
  const p = price(input.price, code, sold);
  const originalPrice = input.originalPrice
    ? price(input.originalPrice, code, sold, 'original_price')
    : null;
  if (originalPrice) checkOriginalAbovePrice(originalPrice, p, 'original_price', code);
  return { price: p, originalPrice };
}

/** Whether two SKU states show the same prices. */
export const samePrices = (
  a: Pick<Sku, 'price' | 'originalPrice'>,
  b: Pick<Sku, 'price' | 'originalPrice'>,
) =>
  a.price.equals(b.price) &&
  (a.originalPrice === null
    ? b.originalPrice === null
    : b.originalPrice !== null && a.originalPrice.equals(b.originalPrice));

function attributes(
  input: Record<string, string> | undefined,
  code: string,
): Record<string, string> {
  const entries = Object.entries(input ?? {});
  if (entries.length > LIMITS.attributes) {
    throw invalid(
      'SKU_ATTRIBUTES_INVALID',
      `SKU ${code}: at most ${LIMITS.attributes} attributes`,
      { sku: code },
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    const key = k.trim();
    if (
      !key ||
      key.length > LIMITS.attributeKey ||
      typeof v !== 'string' ||
      v.length > LIMITS.attributeValue
    ) {
      throw invalid(
        'SKU_ATTRIBUTES_INVALID',
        `SKU ${code}: attribute '${k}' must have a 1-${LIMITS.attributeKey} character name and a value of at most ${LIMITS.attributeValue}`,
        { sku: code },
      );
    }
    out[key] = v;
  }
  return out;
}

function sku(input: SkuInput, id: string, sold: SoldCurrencies): Sku {
  if (!SKU_CODE_RE.test(input.code ?? '')) {
    throw invalid(
      'SKU_CODE_INVALID',
      `SKU code '${input.code}' must be 1-64 characters of letters, digits, '.', '_' or '-'`,
      { sku: input.code },
    );
  }
  return {
    id,
    code: input.code,
    attributes: attributes(input.attributes, input.code),
    ...skuPrices(input, input.code, sold),
  };
}

function checkSkus(skus: Sku[]): void {
  if (skus.length === 0) throw invalid('PRODUCT_SKUS_REQUIRED', 'a product needs at least one SKU');
  if (skus.length > LIMITS.skus)
    throw invalid('PRODUCT_TOO_MANY_SKUS', `a product has at most ${LIMITS.skus} SKUs`);
  const codes = new Set<string>();
  for (const s of skus) {
    if (codes.has(s.code))
      throw invalid('SKU_CODE_DUPLICATE', `SKU code ${s.code} appears twice`, { sku: s.code });
    codes.add(s.code);
  }
  const currencies = new Set(skus.map((s) => s.price.currency));
  if (currencies.size > 1) {
    throw invalid(
      'PRODUCT_MIXED_CURRENCY',
      `all SKUs of a product share one currency, got ${[...currencies].join(', ')}`,
    );
  }
}

export interface NewProductInput {
  title: string;
  description?: string;
  brand?: string;
  categoryId: string;
  status?: ProductStatus;
  skus: SkuInput[];
}

export function createProduct(
  input: NewProductInput,
  ids: { id: string; newSkuId: () => string },
  now: Date,
  sold: SoldCurrencies = ANY_ISO_CURRENCY,
): Product {
  const skus = (input.skus ?? []).map((s) => sku(s, ids.newSkuId(), sold));
  checkSkus(skus);
  const status = input.status ?? 'ACTIVE';
  if (status === 'ARCHIVED')
    throw invalid('PRODUCT_STATUS_INVALID', 'a new product is DRAFT or ACTIVE');
  return {
    id: ids.id,
    title: text('title', input.title, LIMITS.title, true),
    description: text('description', input.description, LIMITS.description, false),
    brand: text('brand', input.brand, LIMITS.brand, false),
    categoryId: input.categoryId,
    status,
    skus,
    version: 1,
    createdAt: now,
    updatedAt: now,
    publishAt: null,
    unpublishAt: null,
    manualTags: [],
    ruleTags: [],
    firstPublishedAt: status === 'ACTIVE' ? now : null,
    compliance: 'REQUIRED',
  };
}

export interface ProductPatch {
  title?: string;
  description?: string;
  brand?: string;
  categoryId?: string;
  status?: ProductStatus;
  upsertSkus?: SkuInput[];
  expectedVersion?: number;
  // Listing schedule (issue 18; checked by listing-schedule.ts): null clears.
  publishAt?: Date | null;
  unpublishAt?: Date | null;
}

export function checkVersion(product: Product, expected: number | undefined): void {
  if (expected !== undefined && expected !== 0 && expected !== product.version) {
    throw new CatalogError(
      'ABORTED',
      'PRODUCT_VERSION_CONFLICT',
      `product ${product.id} is at version ${product.version}, not ${expected}`,
      {
        id: product.id,
        version: product.version,
        expectedVersion: expected,
      },
    );
  }
}

/** Applies a patch; returns the new product and the changed fields (none: same product, same version). */
export function updateProduct(
  product: Product,
  patch: ProductPatch,
  newSkuId: () => string,
  now: Date,
  sold: SoldCurrencies = ANY_ISO_CURRENCY,
): { product: Product; changed: string[] } {
  checkVersion(product, patch.expectedVersion);
  const next: Product = { ...product };
  const changed: string[] = [];
  const set = <K extends keyof Product>(key: K, value: Product[K], name: string) => {
    if (value !== product[key]) {
      next[key] = value;
      changed.push(name);
    }
  };
  if (patch.title !== undefined)
    set('title', text('title', patch.title, LIMITS.title, true), 'title');
  if (patch.description !== undefined)
    set(
      'description',
      text('description', patch.description, LIMITS.description, false),
      'description',
    );
  if (patch.brand !== undefined)
    set('brand', text('brand', patch.brand, LIMITS.brand, false), 'brand');
  if (patch.categoryId !== undefined) set('categoryId', patch.categoryId, 'category_id');
  if (patch.status !== undefined && patch.status !== product.status) {
    if (!TRANSITIONS[product.status].includes(patch.status)) {
      throw new CatalogError(
        'FAILED_PRECONDITION',
        'PRODUCT_STATUS_TRANSITION',
        `a ${product.status} product cannot become ${patch.status}`,
        {
          from: product.status,
          to: patch.status,
        },
      );
    }
    set('status', patch.status, 'status');
  }
  if (patch.upsertSkus && patch.upsertSkus.length > 0) {
    const skus = [...product.skus];
    const seen = new Set<string>();
    for (const input of patch.upsertSkus) {
      if (seen.has(input.code))
        throw invalid('SKU_CODE_DUPLICATE', `SKU code ${input.code} appears twice`, {
          sku: input.code,
        });
      seen.add(input.code);
      const index = skus.findIndex((s) => s.code === input.code);
      const candidate = sku(input, index >= 0 ? skus[index].id : newSkuId(), sold);
      if (index >= 0) skus[index] = candidate;
      else skus.push(candidate);
    }
    checkSkus(skus);
    const same = (a: Sku, b: Sku | undefined) =>
      !!b && samePrices(a, b) && JSON.stringify(a.attributes) === JSON.stringify(b.attributes);
    if (skus.length !== product.skus.length || skus.some((s, i) => !same(s, product.skus[i]))) {
      next.skus = skus;
      changed.push('skus');
    }
  }
  // listing schedule (issue 18): Dates compare by time
  for (const [key, name] of [
    ['publishAt', 'publish_at'],
    ['unpublishAt', 'unpublish_at'],
  ] as const) {
    const at = patch[key];
    if (at !== undefined && (at?.getTime() ?? null) !== (product[key]?.getTime() ?? null)) {
      next[key] = at;
      changed.push(name);
    }
  }
  if (changed.length === 0) return { product, changed };
  if (next.status === 'ACTIVE' && next.firstPublishedAt === null) next.firstPublishedAt = now;
  if (invalidatedByEdit(product.compliance, changed)) {
    next.compliance = 'REQUIRED';
    changed.push('compliance_status');
  }
  return { product: { ...next, version: product.version + 1, updatedAt: now }, changed };
}

/** Stock changes and category moves bump the version so a new snapshot supersedes the old. */
export function touch(product: Product, now: Date): Product {
  return { ...product, version: product.version + 1, updatedAt: now };
}

/** Sets one SKU's prices (already checked); the same prices change nothing (same version). */
export function setSkuPrices(
  product: Product,
  skuId: string,
  prices: Pick<Sku, 'price' | 'originalPrice'>,
  now: Date,
): { product: Product; changed: boolean } {
  const index = product.skus.findIndex((s) => s.id === skuId);
  if (index < 0)
    throw new CatalogError('NOT_FOUND', 'SKU_NOT_FOUND', `Sku ${skuId} does not exist`, {
      id: skuId,
    });
  const current = product.skus[index];
  if (samePrices(current, prices)) return { product, changed: false };
  const skus = [...product.skus];
  skus[index] = { ...current, price: prices.price, originalPrice: prices.originalPrice };
  checkSkus(skus);
  return {
    product: { ...product, skus, version: product.version + 1, updatedAt: now },
    changed: true,
  };
}
