import { RemoteCallError } from '@emporia/platform';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ProblemError } from './problem';

/** Product pages kept per gateway replica by default. */
export const PRODUCT_PAGE_CACHE_SIZE = 50_000;

interface Entry {
  /** The rendered public view (JSON), or the 404 to answer again. */
  page: string | Error;
  /** When it was read from catalog (ms). */
  readAt: number;
}

/**
 * The shoppers' product pages of one gateway replica: the rendered public view of each product
 * (JSON), and "not found" for an unknown or unlisted id, by product id.
 *
 * Staleness bound: an entry is served for at most `ttlMs` after catalog was read (the hard bound,
 * whatever happens to events); `invalidate(id)` (a catalog event about the product, through this
 * replica's own consumer) drops it at once, and `clear()` drops everything (the consumer
 * (re)joined: events may have been missed). A read that started before an invalidation of its id
 * is answered but not kept, so a page read before a change never outlives that change's event.
 * Concurrent misses of one id share one catalog read. Only answers are kept: a catalog error other
 * than "not found" is never cached. At most `size` entries (the oldest dropped first).
 */
export class ProductPageCache {
  private readonly entries = new Map<string, Entry>();
  private readonly reading = new Map<string, Promise<string>>();
  /** Invalidations counted per id while a read of it may be in flight. */
  private generation = 0;
  private readonly invalidatedAt = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly size = PRODUCT_PAGE_CACHE_SIZE,
    private readonly now: () => number = Date.now,
  ) {}

  /** The page of `id`: cached, or `read` (its 404 problem is cached too). */
  get(id: string, read: () => Promise<string>): Promise<string> {
    if (this.ttlMs === 0) return read();
    const entry = this.entries.get(id);
    if (entry !== undefined) {
      if (this.now() - entry.readAt < this.ttlMs)
        return typeof entry.page === 'string'
          ? Promise.resolve(entry.page)
          : Promise.reject(entry.page);
      this.entries.delete(id);
    }
    const inflight = this.reading.get(id);
    if (inflight) return inflight;
    const started = this.generation;
    const readAt = this.now();
    const keep = (page: string | Error) => {
      if ((this.invalidatedAt.get(id) ?? -1) >= started) return;
      this.entries.set(id, { page, readAt });
      if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
    };
    const promise = read()
      .then(
        (page) => {
          keep(page);
          return page;
        },
        (err: unknown) => {
          if (isNotFound(err)) keep(err as Error);
          throw err;
        },
      )
      .finally(() => {
        this.reading.delete(id);
        if (this.reading.size === 0) this.invalidatedAt.clear();
      });
    this.reading.set(id, promise);
    return promise;
  }

  /** A product changed: its page is read from catalog again on the next request. */
  invalidate(id: string): void {
    this.entries.delete(id);
    if (this.reading.has(id)) this.invalidatedAt.set(id, this.generation++);
  }

  /** Every page is read again (events may have been missed). */
  clear(): void {
    this.entries.clear();
    for (const id of this.reading.keys()) this.invalidatedAt.set(id, this.generation);
    this.generation++;
  }

  get cached(): number {
    return this.entries.size;
  }
}

const isNotFound = (err: unknown) =>
  (err instanceof ProblemError && err.status === 404) ||
  (err instanceof RemoteCallError && err.remote.status === GrpcStatus.NOT_FOUND);
