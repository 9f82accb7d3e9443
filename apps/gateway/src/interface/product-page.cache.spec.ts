import { ProductPageCache } from './product-page.cache';
import { ProblemError } from './problem';

describe('ProductPageCache', () => {
  let now = 0;
  const clock = () => now;
  const reads = (pages: string[]) => {
    const fn = jest.fn(async () => pages.shift() ?? 'last');
    return fn;
  };

  beforeEach(() => (now = 1_000));

  it('serves a page for at most the TTL after it was read', async () => {
    const cache = new ProductPageCache(5_000, 10, clock);
    const read = reads(['v1', 'v2']);
    expect(await cache.get('p', read)).toBe('v1');
    now += 4_999;
    expect(await cache.get('p', read)).toBe('v1');
    now += 1;
    expect(await cache.get('p', read)).toBe('v2');
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('drops a page on invalidation, and everything on clear', async () => {
    const cache = new ProductPageCache(60_000, 10, clock);
    const read = reads(['a1', 'b1', 'a2', 'a3', 'b2']);
    await cache.get('a', read);
    await cache.get('b', read);
    cache.invalidate('a');
    expect(await cache.get('a', read)).toBe('a2');
    expect(await cache.get('b', read)).toBe('b1');
    cache.clear();
    expect(await cache.get('a', read)).toBe('a3');
    expect(await cache.get('b', read)).toBe('b2');
  });

  it('does not keep a read that an invalidation overtook, and shares concurrent reads', async () => {
    const cache = new ProductPageCache(60_000, 10, clock);
    let release!: (v: string) => void;
    const slow = jest.fn(() => new Promise<string>((r) => (release = r)));
    const first = cache.get('p', slow);
    const second = cache.get('p', slow);
    expect(slow).toHaveBeenCalledTimes(1);
    cache.invalidate('p'); // the product changed while catalog was being read
    release('old');
    expect(await first).toBe('old');
    expect(await second).toBe('old');
    expect(await cache.get('p', async () => 'new')).toBe('new');
  });

  it('keeps a 404 (until the TTL or an event) but never another error', async () => {
    const cache = new ProductPageCache(60_000, 10, clock);
    const notFound = new ProblemError(404, 'PRODUCT_NOT_FOUND', 'product p not found');
    const read = jest.fn().mockRejectedValueOnce(notFound).mockResolvedValue('listed');
    await expect(cache.get('p', read)).rejects.toBe(notFound);
    await expect(cache.get('p', read)).rejects.toBe(notFound);
    cache.invalidate('p');
    expect(await cache.get('p', read)).toBe('listed');
    const failing = jest
      .fn()
      .mockRejectedValueOnce(new Error('catalog down'))
      .mockResolvedValue('x');
    await expect(cache.get('q', failing)).rejects.toThrow('catalog down');
    expect(await cache.get('q', failing)).toBe('x');
  });

  it('holds at most its size (oldest first out) and nothing with a TTL of 0', async () => {
    const cache = new ProductPageCache(60_000, 2, clock);
    for (const id of ['a', 'b', 'c']) await cache.get(id, async () => id);
    expect(cache.cached).toBe(2);
    const read = reads(['a2']);
    expect(await cache.get('a', read)).toBe('a2');
    const off = new ProductPageCache(0, 10, clock);
    const each = reads(['1', '2']);
    expect(await off.get('p', each)).toBe('1');
    expect(await off.get('p', each)).toBe('2');
  });
});
