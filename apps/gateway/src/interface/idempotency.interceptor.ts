import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { counter, LOGGER, ThrottledWarning, type Logger } from '@emporia/platform';
import {
  IDEMPOTENCY_STORE,
  type IdempotencyClaim,
  type IdempotencyStore,
} from '../application/ports';
import { ApiProblems } from './api-problems';
import { ProblemError, REDIS_RETRY_AFTER_SECONDS } from './problem';

const KEY = 'emporia:idempotent';
const KEY_RE = /^[A-Za-z0-9_.:-]{8,200}$/;

/** Canonical JSON: object keys sorted, so the same body always fingerprints the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

export function requestFingerprint(req: FastifyRequest): string {
  return createHash('sha256')
    .update(`${req.method} ${req.url.split('?')[0]}\n${canonical(req.body)}`)
    .digest('hex');
}

/** The Idempotency-Key header of a route marked `@Idempotent`, validated. */
export function idempotencyKey(req: FastifyRequest, required: boolean): string | undefined {
  const raw = req.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  // an empty header is a malformed key, not a missing one
  if (key === undefined) {
    if (required)
      throw new ProblemError(
        400,
        'IDEMPOTENCY_KEY_REQUIRED',
        'send an Idempotency-Key header (a UUID per attempt)',
      );
    return undefined;
  }
  if (!KEY_RE.test(key))
    throw new ProblemError(
      400,
      'IDEMPOTENCY_KEY_INVALID',
      'an Idempotency-Key has 8 to 200 letters, digits, - _ . :',
    );
  return key;
}

const storeFailures = counter(
  'emporia_idempotency_store_failures_total',
  'Idempotency-Key records that could not be read or written in time: claim (the request is refused with 503), renew, complete or abandon (the request goes on; its claim lapses with its lease)',
  ['op'],
);

/**
 * The same key with the same request returns the first response (marked
 * `Idempotent-Replayed: true`); the same key with another request is 422; while the first is
 * still running, 409 with `Retry-After` (at most the claim's lease: a gateway that crashed
 * mid-request frees its keys within it). Keys are scoped to the caller. Failed requests free
 * their key. The records cannot be read: 503 IDEMPOTENCY_STORE_UNAVAILABLE with `Retry-After`.
 */
export const Idempotent = ({ required = false } = {}) =>
  applyDecorators(
    SetMetadata(KEY, { required }),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required,
      description:
        'retry-safe: the same key and body return the first response (a UUID per attempt is a good key)',
      schema: { type: 'string', pattern: KEY_RE.source },
    }),
    ApiProblems(409, 422, 503),
  );

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly reflector: Reflector,
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.warning = new ThrottledWarning(logger, 10_000);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.handle(context, next));
  }

  private async handle(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const opts = this.reflector.get<{ required: boolean } | undefined>(KEY, context.getHandler());
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const key = opts ? idempotencyKey(req, opts.required) : undefined;
    if (!key) return lastValueFrom(next.handle(), { defaultValue: undefined });
    const scope = req.principal?.accountId ?? 'anonymous';
    const fp = requestFingerprint(req);
    let claimed;
    try {
      claimed = await this.store.claim(scope, key, fp);
    } catch (err) {
      storeFailures.inc({ op: 'claim' });
      this.warning.warn({ err }, 'idempotency store unavailable: refusing keyed requests (503)');
      throw new ProblemError(
        503,
        'IDEMPOTENCY_STORE_UNAVAILABLE',
        `requests with an Idempotency-Key cannot be accepted right now; retry with the same key after ${REDIS_RETRY_AFTER_SECONDS} s`,
        undefined,
        { 'retry-after': String(REDIS_RETRY_AFTER_SECONDS) },
      );
    }
    if (claimed.kind === 'mismatch')
      throw new ProblemError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used with a different request',
      );
    if (claimed.kind === 'pending') {
      const retryAfter = Math.max(1, Math.ceil(claimed.retryAfterMs / 1000));
      throw new ProblemError(
        409,
        'IDEMPOTENCY_IN_PROGRESS',
        `a request with this Idempotency-Key is still running; retry with the same key after ${retryAfter} s`,
        undefined,
        { 'retry-after': String(retryAfter) },
      );
    }
    if (claimed.kind === 'done') {
      void reply.status(claimed.response.status).header('idempotent-replayed', 'true');
      return claimed.response.body;
    }
    const { claim } = claimed;
    const stopRenewing = this.keepRenewing(claim);
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (e) {
      stopRenewing();
      await this.quietly('abandon', () => claim.abandon());
      throw e;
    }
    stopRenewing();
    // The request is done: its answer goes out even if the record cannot be written (a retry
    // after the lease then runs it again, against a backend that is idempotent for it).
    await this.quietly('complete', () => claim.complete({ status: reply.statusCode, body }));
    return body;
  }

  /** Renews the claim's lease while the request runs; returns the function that stops it. */
  private keepRenewing(claim: IdempotencyClaim): () => void {
    const timer = setInterval(() => {
      void this.quietly('renew', async () => {
        if (!(await claim.renew()))
          this.warning.warn({}, 'an Idempotency-Key claim lapsed while its request ran');
      });
    }, claim.renewEveryMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async quietly(op: 'renew' | 'complete' | 'abandon', fn: () => Promise<void>) {
    try {
      await fn();
    } catch (err) {
      storeFailures.inc({ op });
      this.warning.warn(
        { err, op },
        'idempotency store unavailable: the claim lapses with its lease',
      );
    }
  }
}
