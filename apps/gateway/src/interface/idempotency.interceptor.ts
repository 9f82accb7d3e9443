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
import { IDEMPOTENCY_STORE, type IdempotencyStore } from '../application/ports';
import { ApiProblems } from './api-problems';
import { ProblemError } from './problem';

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
  if (!key) {
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

/**
 * The same key with the same request returns the first response (marked
 * `Idempotent-Replayed: true`); the same key with another request is 422; while the first is
 * still running, 409. Keys are scoped to the caller. Failed requests free their key.
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
    ApiProblems(409, 422),
  );

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
  ) {}

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
    const claim = await this.store.claim(scope, key, fp);
    if (claim.kind === 'mismatch')
      throw new ProblemError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used with a different request',
      );
    if (claim.kind === 'pending')
      throw new ProblemError(
        409,
        'IDEMPOTENCY_IN_PROGRESS',
        'a request with this Idempotency-Key is still running',
      );
    if (claim.kind === 'done') {
      void reply.status(claim.response.status).header('idempotent-replayed', 'true');
      return claim.response.body;
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.store.complete(scope, key, fp, { status: reply.statusCode, body });
      return body;
    } catch (e) {
      await this.store.abandon(scope, key);
      throw e;
    }
  }
}
