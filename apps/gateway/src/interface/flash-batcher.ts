import { status as GrpcStatus } from '@grpc/grpc-js';
import type { marketingV1 } from '@emporia/contracts';
import { inLinkedSpan, RemoteCallError, type RequestContext } from '@emporia/platform';
import type { MarketingBackend } from '../application/ports';
import type { FlashEdge } from './flash-edge';

type Attempt = marketingV1.AttemptFlashPurchaseRequest;
type Result = marketingV1.AttemptFlashPurchaseResponse;

interface Pending {
  ctx: RequestContext;
  req: Attempt;
  resolve(r: Result): void;
  reject(e: unknown): void;
}

/** How long a replica sends single attempts after marketing did not know TryFlashPurchases. */
const UNSUPPORTED_RETRY_MS = 60_000;

/**
 * Sends the attempts of one sale that reach this replica in the same turn of the event loop to
 * marketing in one `TryFlashPurchases` call (at most `maxBatch` per call), each getting its own
 * result; a lone attempt goes as `AttemptFlashPurchase`. Each attempt is decided by marketing
 * exactly as alone (the attempts of a sale decided in order in one Lua call, each win recorded),
 * so answers, limits and "every win recorded" are unchanged; only the round trips are shared.
 * An attempt marketing could not decide carries its own `error` (status and code), thrown for
 * it alone as a single call would throw it; a call that fails fails each of its attempts with
 * that error, as a single call would. A marketing that does not know the
 * method (UNIMPLEMENTED: an older process in a rolling deploy; nothing was decided) gets the
 * batch's attempts one by one, and single calls for a minute. `maxBatch` 1: no batching.
 *
 * With `edge` (FLASH_DECISIONS=edge), a batch is decided by the gateway itself in the sale's
 * pool, in one Redis call (`FlashEdge`); only what the pool does not know (a sale not loaded)
 * and every attempt of a Redis call that failed go on to marketing, as above.
 */
export class FlashBatcher {
  private readonly queues = new Map<string, Pending[]>();
  private singleUntil = 0;

  constructor(
    readonly maxBatch: number,
    private readonly now: () => number = () => performance.now(),
    private readonly edge?: FlashEdge,
  ) {}

  attempt(marketing: MarketingBackend, ctx: RequestContext, req: Attempt): Promise<Result> {
    if (!this.edge && (this.maxBatch <= 1 || this.now() < this.singleUntil))
      return marketing.attemptFlashPurchase(ctx, req);
    return new Promise<Result>((resolve, reject) => {
      let queue = this.queues.get(req.saleId);
      if (!queue) {
        queue = [];
        this.queues.set(req.saleId, queue);
        setImmediate(() => this.flush(marketing, req.saleId));
      }
      queue.push({ ctx, req, resolve, reject });
    });
  }

  private flush(marketing: MarketingBackend, saleId: string): void {
    const queue = this.queues.get(saleId) ?? [];
    this.queues.delete(saleId);
    for (let i = 0; i < queue.length; i += this.maxBatch)
      this.send(marketing, queue.slice(i, i + this.maxBatch));
  }

  private send(marketing: MarketingBackend, batch: Pending[]): void {
    if (this.edge) this.sendToEdge(this.edge, marketing, batch);
    else this.sendToMarketing(marketing, batch);
  }

  /** The batch decided in the pool; what it does not decide goes to marketing. */
  private sendToEdge(edge: FlashEdge, marketing: MarketingBackend, batch: Pending[]): void {
    const lead = (batch.find((p) => p.ctx.sampled !== false) ?? batch[0]).ctx;
    inLinkedSpan(
      'flash attempts decided at the edge',
      lead,
      batch.map((p) => p.ctx),
      () =>
        edge.decide(
          batch[0].req.saleId,
          batch.map((p) => p.req),
        ),
    )
      .catch(() => batch.map(() => undefined)) // Redis failed: nothing known, marketing decides
      .then((decided) => {
        const rest = batch.filter((p, i) => {
          const r = decided[i];
          if (r) p.resolve(r);
          return !r;
        });
        if (rest.length > 0) this.sendToMarketing(marketing, rest);
      })
      .catch((err: unknown) => {
        for (const p of batch) p.reject(err);
      });
  }

  private sendToMarketing(marketing: MarketingBackend, batch: Pending[]): void {
    const one = (p: Pending) =>
      marketing.attemptFlashPurchase(p.ctx, p.req).then(p.resolve, p.reject);
    if (batch.length === 1 || this.now() < this.singleUntil) {
      for (const p of batch) void one(p);
      return;
    }
    // the call goes in a recorded attempt's trace when one is (traced: one span for the shared
    // call under it, linked to every attempt's request)
    const lead = (batch.find((p) => p.ctx.sampled !== false) ?? batch[0]).ctx;
    inLinkedSpan(
      'flash attempts batch',
      lead,
      batch.map((p) => p.ctx),
      () => marketing.tryFlashPurchases(lead, { attempts: batch.map((p) => p.req) }),
    ).then(
      ({ results }) => {
        if (results.length !== batch.length) {
          const err = new Error(
            `marketing answered ${results.length} results to ${batch.length} attempts`,
          );
          for (const p of batch) p.reject(err);
          return;
        }
        batch.forEach((p, i) => {
          const { error, ...result } = results[i];
          // this attempt's own failure, as a single call would have thrown it
          if (error)
            p.reject(
              new RemoteCallError('marketing', {
                status: error.status,
                code: error.code,
                message: error.message,
                details: {},
              }),
            );
          else p.resolve(result);
        });
      },
      (err: unknown) => {
        if (err instanceof RemoteCallError && err.remote.status === GrpcStatus.UNIMPLEMENTED) {
          this.singleUntil = this.now() + UNSUPPORTED_RETRY_MS;
          for (const p of batch) void one(p);
          return;
        }
        for (const p of batch) p.reject(err);
      },
    );
  }
}
