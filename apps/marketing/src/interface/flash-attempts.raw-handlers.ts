import { marketingV1 } from '@emporia/contracts';
import {
  HandlerErrorReporter,
  rawUnary,
  toRemoteError,
  type AnyRawUnaryMethod,
  type Logger,
  type RequestContext,
} from '@emporia/platform';
import type { FlashSalesUseCase } from '../application/flash-sales.use-case';
import type { AttemptOutcome } from '../domain/flash-sale';
import { MarketingError } from '../domain/marketing-error';
import { uuid } from './proto-mapping';

type Response = marketingV1.AttemptFlashPurchaseResponse;

/** Most attempts one TryFlashPurchases call takes. */
export const MAX_FLASH_BATCH = 256;

const answer = (r: AttemptOutcome): Response =>
  r.result === 'WON'
    ? {
        result: r.result,
        token: r.token,
        expiresAt: r.expiresAt.toISOString(),
        allowanceLeft: r.allowanceLeft,
      }
    : r.result === 'LIMIT_REACHED'
      ? { result: r.result, token: '', expiresAt: '', allowanceLeft: r.allowanceLeft }
      : { result: r.result, token: '', expiresAt: '' };

/** One attempt of AttemptFlashPurchase. */
export function attemptFlashPurchase(
  flash: FlashSalesUseCase,
  ctx: RequestContext,
  req: marketingV1.AttemptFlashPurchaseRequest,
): Promise<Response> {
  return flash
    .attempt(ctx, uuid('sale_id', req.saleId), uuid('account_id', req.accountId), req.quantity || 1)
    .then(answer);
}

/**
 * TryFlashPurchases: the attempts of a gateway's batch, each decided as AttemptFlashPurchase
 * decides it alone, answered in order. An attempt that fails (an id that is not a UUID, a
 * quantity out of range, an unknown sale, Redis down) gets its own `error` (the status and code
 * it would have failed with alone, logged as the gRPC exception filter logs it) and the others
 * are decided. Only a call of more than MAX_FLASH_BATCH attempts fails as a whole.
 */
export async function tryFlashPurchases(
  flash: FlashSalesUseCase,
  ctx: RequestContext,
  req: marketingV1.TryFlashPurchasesRequest,
  reporter?: HandlerErrorReporter,
): Promise<marketingV1.TryFlashPurchasesResponse> {
  if (req.attempts.length > MAX_FLASH_BATCH)
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'BATCH_TOO_LARGE',
      `at most ${MAX_FLASH_BATCH} attempts per call`,
    );
  const failed = (error: unknown): Response => {
    reporter?.report(error);
    const e = toRemoteError(error);
    return {
      result: '',
      token: '',
      expiresAt: '',
      error: { status: e.status, code: e.code, message: e.message },
    };
  };
  const results: Response[] = new Array<Response>(req.attempts.length);
  const valid: { saleId: string; accountId: string; quantity: number }[] = [];
  const at: number[] = [];
  req.attempts.forEach((a, i) => {
    try {
      valid.push({
        saleId: uuid('sale_id', a.saleId),
        accountId: uuid('account_id', a.accountId),
        quantity: a.quantity || 1,
      });
      at.push(i);
    } catch (error) {
      results[i] = failed(error);
    }
  });
  const decided = await flash.attemptMany(ctx, valid);
  decided.forEach((d, k) => {
    results[at[k]] = d.ok ? answer(d.outcome) : failed(d.error);
  });
  return { results };
}

/**
 * The flash-sale RPCs as raw handlers on marketing's gRPC server (libs/platform README, "Raw
 * gRPC handlers"): the hottest calls of a sale, past Nest's per-call pipeline.
 */
export function flashRawHandlers(flash: FlashSalesUseCase, logger: Logger): AnyRawUnaryMethod[] {
  const reporter = new HandlerErrorReporter(logger);
  return [
    rawUnary<marketingV1.AttemptFlashPurchaseRequest, Response>(
      'MarketingService',
      'AttemptFlashPurchase',
      (req, ctx) => attemptFlashPurchase(flash, ctx, req),
    ),
    rawUnary<marketingV1.TryFlashPurchasesRequest, marketingV1.TryFlashPurchasesResponse>(
      'MarketingService',
      'TryFlashPurchases',
      (req, ctx) => tryFlashPurchases(flash, ctx, req, reporter),
    ),
  ];
}
