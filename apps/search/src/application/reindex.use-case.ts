import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { LOGGER, type Logger } from '@emporia/platform';
import { categoryIdsOf, toProductDocument } from '../domain/product-document';
import { mayStartReindex, type ReindexJob } from '../domain/reindex';
import { SearchError } from '../domain/search-error';
import {
  CATALOG_SOURCE,
  CATEGORY_NAMES,
  INDEX_BUILDER,
  PRODUCT_RATINGS,
  REINDEX_JOBS,
  type CatalogSource,
  type CategoryNames,
  type IndexBuilder,
  type ProductRatings,
  type ReindexJobs,
} from './ports';

export const REINDEX_BATCH_SIZE = Symbol('REINDEX_BATCH_SIZE');
/** Writes stamped this long before the start are copied again after the swap (clock skew). */
const CATCH_UP_MARGIN_MS = 30_000;
/** Physical indexes kept besides the serving one, for a manual rollback. */
const RETAINED_PREVIOUS = 1;

/**
 * Zero-downtime full reindex. The catalog is paged through in bounded batches (one page in
 * memory at a time) into a new versioned index while searches and event writes keep using the
 * alias; then the alias swaps atomically, and the products written to the old index since the
 * build started are copied over (external versions: an older copy never wins).
 */
@Injectable()
export class ReindexUseCase implements OnModuleDestroy {
  private running?: Promise<ReindexJob>;
  private stopping = false;

  constructor(
    @Inject(INDEX_BUILDER) private readonly builder: IndexBuilder,
    @Inject(CATALOG_SOURCE) private readonly catalog: CatalogSource,
    @Inject(CATEGORY_NAMES) private readonly categories: CategoryNames,
    @Inject(REINDEX_JOBS) private readonly jobs: ReindexJobs,
    @Inject(REINDEX_BATCH_SIZE) private readonly batchSize: number,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PRODUCT_RATINGS) private readonly ratings: ProductRatings,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  /** Claims the one reindex slot and runs the job in the background. */
  async start(): Promise<ReindexJob> {
    const now = new Date();
    const latest = await this.jobs.latest();
    const job: ReindexJob = {
      id: randomUUID(),
      state: 'RUNNING',
      targetIndex: '',
      previousIndex: await this.builder.current(),
      productsIndexed: 0,
      caughtUp: 0,
      batches: 0,
      startedAt: now.toISOString(),
      heartbeatAt: now.toISOString(),
      finishedAt: '',
      error: '',
    };
    if (!(await this.jobs.claim(job, (l) => mayStartReindex(l, now))))
      throw new SearchError(
        'FAILED_PRECONDITION',
        'REINDEX_RUNNING',
        'a reindex is already running',
        latest ? { reindexId: latest.id } : undefined,
      );
    if (
      latest?.state === 'RUNNING' &&
      latest.targetIndex &&
      latest.targetIndex !== job.previousIndex
    ) {
      // the stale job's worker died: its half-built index is never served
      this.logger.warn({ stale: latest.id }, 'taking over a stale reindex');
      await this.builder.drop(latest.targetIndex);
      await this.jobs.save({
        ...latest,
        state: 'FAILED',
        error: 'worker lost',
        finishedAt: now.toISOString(),
      });
    }
    this.running = this.run(job);
    return { ...job };
  }

  /** Starts a reindex and waits for it (used at start-up when the mapping is outdated). */
  async runToCompletion(): Promise<ReindexJob> {
    await this.start();
    const done = await this.running!;
    if (done.state !== 'SUCCEEDED') throw new Error(`reindex ${done.id} failed: ${done.error}`);
    return done;
  }

  async get(id: string): Promise<ReindexJob> {
    const job = id ? await this.jobs.get(id) : await this.jobs.latest();
    if (!job)
      throw new SearchError(
        'NOT_FOUND',
        'REINDEX_NOT_FOUND',
        id ? `no reindex ${id}` : 'no reindex yet',
      );
    return job;
  }

  private async run(job: ReindexJob): Promise<ReindexJob> {
    let swapped = false;
    const save = () => this.jobs.save({ ...job, heartbeatAt: new Date().toISOString() });
    try {
      job.targetIndex = await this.builder.create();
      await save();
      const since = new Date(Date.parse(job.startedAt) - CATCH_UP_MARGIN_MS);
      // category names from the catalog first: a new deployment has not seen their events
      let token = '';
      do {
        const page = await this.catalog.categoryPage(token);
        for (const c of page.categories) await this.categories.put(c);
        token = page.next;
      } while (token);
      do {
        if (this.stopping) throw new Error('service stopping');
        const page = await this.catalog.page(token, this.batchSize);
        const names = await this.categories.names(categoryIdsOf(page.products));
        // ratings from search's own store (review events), not the catalog's copy
        const ratings = await this.ratings.forProducts(page.products.map((p) => p.id));
        const now = new Date();
        await this.builder.bulk(
          job.targetIndex,
          page.products.map((p) =>
            toProductDocument(p, `reindex:${job.id}`, names, now, ratings.get(p.id)),
          ),
        );
        job.productsIndexed += page.products.length;
        job.batches += 1;
        await save();
        token = page.next;
      } while (token);
      await this.builder.swap(job.previousIndex, job.targetIndex);
      swapped = true;
      job.caughtUp = await this.builder.catchUp(
        job.previousIndex,
        job.targetIndex,
        since,
        this.batchSize,
      );
      const pruned = await this.builder.prune(job.targetIndex, RETAINED_PREVIOUS);
      job.state = 'SUCCEEDED';
      this.logger.info(
        {
          reindex: job.id,
          index: job.targetIndex,
          products: job.productsIndexed,
          caughtUp: job.caughtUp,
          pruned,
        },
        'reindex finished; alias swapped',
      );
    } catch (e) {
      job.state = 'FAILED';
      job.error = (e as Error).message;
      this.logger.error({ reindex: job.id, err: e }, 'reindex failed');
      if (!swapped && job.targetIndex) await this.builder.drop(job.targetIndex);
    }
    job.finishedAt = new Date().toISOString();
    await save().catch((e: unknown) =>
      this.logger.error({ err: e }, 'cannot record reindex outcome'),
    );
    return job;
  }
}
