import { toCriteria } from '../domain/search-criteria';
import { toProductDocument, type ProductSnapshot } from '../domain/product-document';
import { aSnapshot } from '../testing/builders';
import { InMemoryProductIndex } from '../testing/in-memory';
import { CachedProductIndex } from './cached-search';

describe('CachedProductIndex (search pages from memory for a bounded time)', () => {
  let clock = 0;
  let inner: InMemoryProductIndex;
  let cached: CachedProductIndex;
  const base = { query: 'phone', categoryId: '', currency: '', pageSize: 20 };
  const doc = (over: Partial<ProductSnapshot>) =>
    toProductDocument(aSnapshot(over), 'e', new Map(), new Date());
  const phones = toCriteria({ ...base, includeFacets: true });

  beforeEach(async () => {
    clock = 1_000_000;
    inner = new InMemoryProductIndex();
    await inner.upsert(doc({ id: 'p1', title: 'Aurora phone', brand: '华为' }));
    cached = new CachedProductIndex(inner, { ttlMs: 1000, maxEntries: 3, now: () => clock });
  });

  it('answers the same search from memory until the page is older than ttl, then asks the index', async () => {
    const first = await cached.search(phones);
    expect(first.total).toBe(1);
    // a change indexed meanwhile is not seen within the bound...
    await inner.upsert(doc({ id: 'p2', title: 'Nova phone', brand: '小米' }));
    clock += 1000;
    expect((await cached.search(phones)).total).toBe(1);
    expect(inner.searches).toHaveLength(1);
    // ...and is seen once the page is older than ttl
    clock += 1;
    expect((await cached.search(phones)).total).toBe(2);
    expect(inner.searches).toHaveLength(2);
  });

  it('shares a page only between searches that would ask the index the same thing', async () => {
    const variants = [
      phones,
      toCriteria({ ...base, includeFacets: false }),
      toCriteria({ ...base, pageSize: 10, includeFacets: true }),
      toCriteria({ ...base, includeFacets: true, brands: ['华为'] }),
      toCriteria({ ...base, includeFacets: true, sort: 'PRICE_ASC' }),
      toCriteria({ ...base, includeFacets: true }, ['phone', 'mobile']),
    ];
    const big = new CachedProductIndex(inner, { ttlMs: 1000, maxEntries: 100, now: () => clock });
    for (const c of variants) await big.search(c);
    // the next page of a search (its cursor) is a search of its own
    await big.search(phones, [1, 'p1']);
    expect(inner.searches).toHaveLength(variants.length + 1);
    for (const c of variants) await big.search(c);
    await big.search(phones, [1, 'p1']);
    expect(inner.searches).toHaveLength(variants.length + 1);
  });

  it('sends concurrent misses of one search to the index once', async () => {
    const pages = await Promise.all(Array.from({ length: 50 }, () => cached.search(phones)));
    expect(inner.searches).toHaveLength(1);
    expect(new Set(pages.map((p) => p.hits)).size).toBe(1);
  });

  it('says how much longer each page is kept: a caller holding a copy stays within the same bound', async () => {
    expect((await cached.search(phones)).reusableForMs).toBe(1000);
    clock += 400;
    expect((await cached.search(phones)).reusableForMs).toBe(600);
    clock += 600;
    expect((await cached.search(phones)).reusableForMs).toBe(0);
    // past its time: asked again, kept for the whole ttl from the new answer
    clock += 1;
    expect((await cached.search(phones)).reusableForMs).toBe(1000);
    expect(inner.searches).toHaveLength(2);
  });

  it('does not keep a failure: the next search asks the index again', async () => {
    inner.failing = true;
    await expect(cached.search(phones)).rejects.toThrow('index unavailable');
    inner.failing = false;
    expect((await cached.search(phones)).total).toBe(1);
  });

  it('holds at most maxEntries pages, dropping the least recently used', async () => {
    const q = (query: string) => toCriteria({ ...base, query });
    for (const text of ['a', 'b', 'c']) await cached.search(q(text));
    await cached.search(q('a')); // a is now the most recently used
    await cached.search(q('d')); // drops b
    const before = inner.searches.length;
    await cached.search(q('a'));
    await cached.search(q('c'));
    await cached.search(q('d'));
    expect(inner.searches.length).toBe(before);
    await cached.search(q('b'));
    expect(inner.searches.length).toBe(before + 1);
  });

  it('answers a search whose page was pushed out of the cache while Elasticsearch was still answering it', async () => {
    const slow = new InMemoryProductIndex();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const first = await inner.search(phones);
    slow.search = async (c) => {
      if (c.text === 'phone') await held;
      return { ...first, total: c.text === 'phone' ? 7 : 0 };
    };
    const small = new CachedProductIndex(slow, { ttlMs: 1000, maxEntries: 2, now: () => clock });
    const waiting = small.search(phones);
    // two other searches fill the cache and push the one in flight out
    await small.search({ ...phones, text: 'a', textVariants: ['a'] });
    await small.search({ ...phones, text: 'b', textVariants: ['b'] });
    release();
    expect((await waiting).total).toBe(7);
  });

  it('passes writes and lookups straight to the index', async () => {
    const p3 = doc({ id: 'p3', title: 'phone case', brand: '华为' });
    expect(await cached.upsert(p3)).toBe('applied');
    expect(inner.docs.has('p3')).toBe(true);
    expect(await cached.upsert(p3)).toBe('stale');
    expect(await cached.productOfSku('p3-sku-1')).toBe('p3');
  });
});
