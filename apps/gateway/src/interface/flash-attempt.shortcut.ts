import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastJson from 'fast-json-stringify';
import {
  contextFromTraceparent,
  nameHttpRoute,
  toTraceparent,
  type Logger,
  type RequestContext,
} from '@emporia/platform';
import type { MarketingBackend, Principal, TokenRevocationList } from '../application/ports';
import { countRevocationCheck } from './auth.guard';
import { countMarkedLoss } from './flash-attempt.metrics';
import { FLASH_WIN_RESPONSE } from './flash-attempt.fast-route';
import type { FlashGate } from './flash-gate';
import type { MarkedLoss } from './flash-sold-out';
import { lostFlashAttemptProblem } from './marketing-mappers';
import { toProblem } from './problem';
import { CannedProblem } from './problem.filter';
import type { RateLimiter } from './rate-limit.guard';
import type { DrainState } from './drain';
import { routeDuration } from './request-context';

/** The route the shortcut answers, as Fastify (and the duration histogram) names it. */
export const FLASH_ATTEMPT_ROUTE = '/v1/flash-sales/:id/attempts';

const PREFIX = '/v1/flash-sales/';
const SUFFIX = '/attempts';
/** `/v1/flash-sales/<uuid>/attempts`, no query string. */
const URL_LENGTH = PREFIX.length + 36 + SUFFIX.length;
/** uuidIdParams' pattern (the fast route's params schema). */
const UUID =
  /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[1-8][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;
const BEARER = /^Bearer\s+(\S+)$/i;
/**
 * The bodies the shortcut reads itself: `{}` or `{"quantity": 1..10}` with JSON whitespace, which
 * Fastify's parser, the depth and UTF-8 checks, the input checks and FlashAttemptDto all take as
 * they are. Anything else is left to Fastify, which answers exactly as always.
 */
const BODY =
  /^[ \t\n\r]*\{[ \t\n\r]*(?:"quantity"[ \t\n\r]*:[ \t\n\r]*(10|[1-9])[ \t\n\r]*)?\}[ \t\n\r]*$/;
/** Longest such body read (a longer one goes to Fastify unread). */
const MAX_BODY = 256;

/** Fastify adds the charset to a string payload's type. */
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** What `take` learnt of a request it took. */
interface Taken {
  saleId: string;
  principal: Principal;
  ip: string;
  started: number;
}

/** A body read by the shortcut and handed to Fastify after all, replayed by `preParsing`. */
const PRE_READ = Symbol('flash shortcut: the body already read');
type PreRead = IncomingMessage & { [PRE_READ]?: Buffer };

export interface FlashShortcutDeps {
  marketing: MarketingBackend;
  gate: FlashGate;
  /** The verified-token cache: a token it holds is answered without a promise. */
  tokens: { cached(token: string): Principal | undefined };
  revocations: Pick<TokenRevocationList, 'known'>;
  /** The fast route's limiters: `memory` for answers from a mark, `shared` (Redis) for the rest. */
  limiters: { shared: RateLimiter; memory: RateLimiter };
  /** The headers helmet sets on every API answer (`registerSecurityHeaders`). */
  securityHeaders: readonly [string, string | string[]][];
  trustProxy: boolean;
  logger: Logger;
  /** The drain's state (installDrain): while draining, every request is Fastify's to refuse. */
  drain: DrainState;
}

/**
 * Flash-sale attempts answered on the HTTP server's `request` event, before Fastify: a sale's
 * attempts are the platform's hottest requests, and Fastify's per-request work (request and
 * reply objects, routing, a dozen hooks, the reply's header handling) cost more than the answer.
 * Each answer is the fast route's (flash-attempt.fast-route.ts), byte for byte:
 *
 * - a loss a mark answers: the `409 FLASH_SALE_SOLD_OUT` / `FLASH_SALE_LIMIT_REACHED` problem,
 *   counted in the replica's memory limiter (its 429 alike);
 * - any other attempt: counted in the shared (Redis) limiter, then through the flash gate
 *   (admission, batching) to marketing: the 201 win serialized as the fast route serializes it,
 *   or the problem the ProblemFilter would answer for what was thrown (a 409 loss, a 503 of a
 *   backend that did not answer, ...; an unexpected error logged as the filter logs it);
 *
 * every one with the request's `instance` and `traceId`, helmet's security headers,
 * `traceparent` (the context passed to marketing continues the caller's trace), the same content
 * type and length; counted in `emporia_http_request_duration_seconds` under the route and in the
 * revocation checks, as the fast route counts them.
 *
 * Only a request whose answers the fast route would give is taken: `POST
 * /v1/flash-sales/<uuid>/attempts` without a query string, a JSON body of at most MAX_BODY bytes
 * with a Content-Length, no Idempotency-Key, X-Device-Id or X-Guest-Token, a bearer token the
 * verified-token cache holds and the revocation copy knows to be valid, while the replica is not
 * draining; then, once the body is read, a body `BODY` matches. Every other request goes to
 * Fastify unchanged (a body already read is replayed to it): a first attempt with a token the
 * replica has not verified yet, a revoked token, a malformed body, an Idempotency-Key.
 */
export class FlashAttemptShortcut {
  private readonly lost: Record<MarkedLoss, CannedProblem> = {
    SOLD_OUT: new CannedProblem(lostFlashAttemptProblem('SOLD_OUT')),
    LIMIT_REACHED: new CannedProblem(lostFlashAttemptProblem('LIMIT_REACHED')),
  };
  private readonly headers: string[];
  private readonly serialize = fastJson(FLASH_WIN_RESPONSE as object);

  constructor(private readonly deps: FlashShortcutDeps) {
    this.headers = deps.securityHeaders.flatMap(([k, v]) => [
      k,
      Array.isArray(v) ? v.join(', ') : v,
    ]);
  }

  /**
   * Puts the shortcut in front of Fastify's `request` listener on its server, and the replay of
   * bodies it read without answering in Fastify's `preParsing`. Call before the server listens.
   */
  install(fastify: FastifyInstance): void {
    const server: Server = fastify.server;
    const listeners = server.listeners('request') as ((
      req: IncomingMessage,
      res: ServerResponse,
    ) => void)[];
    if (listeners.length === 0) throw new Error('the Fastify server has no request listener');
    const fastifyHandles = (req: IncomingMessage, res: ServerResponse) => {
      for (const l of listeners) l.call(server, req, res);
    };
    this.handOver = fastifyHandles;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!this.take(req, res)) fastifyHandles(req, res);
    });
    fastify.addHook('preParsing', (req, _reply, payload, done) => {
      const body = (req.raw as PreRead)[PRE_READ];
      if (body === undefined) return done(null, payload);
      done(null, Object.assign(Readable.from([body]), { receivedEncodedLength: body.length }));
    });
  }

  private handOver: (req: IncomingMessage, res: ServerResponse) => void = () => {
    throw new Error('FlashAttemptShortcut not installed');
  };

  /** Whether the shortcut took the request (it will answer it, or hand it over with its body). */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.deps.drain.draining || req.method !== 'POST') return false;
    const url = req.url ?? '';
    if (url.length !== URL_LENGTH || !url.startsWith(PREFIX) || !url.endsWith(SUFFIX)) return false;
    const saleId = url.slice(PREFIX.length, PREFIX.length + 36);
    if (!UUID.test(saleId)) return false;
    const h = req.headers;
    if (
      h['idempotency-key'] !== undefined ||
      h['x-device-id'] !== undefined ||
      h['x-guest-token'] !== undefined ||
      h['transfer-encoding'] !== undefined
    )
      return false;
    const length = Number(h['content-length']);
    if (!(length > 0 && length <= MAX_BODY)) return false;
    if (!isJson(h['content-type'])) return false;
    const match = BEARER.exec(h.authorization ?? '');
    if (!match) return false;
    const principal = this.deps.tokens.cached(match[1]);
    if (!principal || this.deps.revocations.known?.(principal) !== false) return false;
    const ip = this.clientIp(req);
    if (ip === undefined) return false;
    const started = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      try {
        if (this.answer(req, res, body, { saleId, principal, ip, started })) return;
      } catch (err) {
        // a bug, never an answer: logged, and Fastify answers if nothing was written yet
        this.deps.logger.error({ err }, 'flash-sale shortcut failed');
        if (res.headersSent) return void res.destroy();
      }
      (req as PreRead)[PRE_READ] = body;
      this.handOver(req, res);
    });
    return true;
  }

  /** Answers the attempt (now, or once marketing did); false: Fastify answers. */
  private answer(req: IncomingMessage, res: ServerResponse, body: Buffer, a: Taken): boolean {
    if (this.deps.drain.draining || body.length > MAX_BODY) return false;
    const m = BODY.exec(body.toString('latin1'));
    if (!m) return false;
    const quantity = m[1] === undefined ? 1 : Number(m[1]);
    // from here on, what the fast route does once authenticated (the revocation check: valid)
    countRevocationCheck('valid');
    const header = req.headers.traceparent;
    const ctx = contextFromTraceparent(Array.isArray(header) ? header[0] : header);
    nameHttpRoute(FLASH_ATTEMPT_ROUTE);
    const who = { principal: a.principal, ip: a.ip } as FastifyRequest;
    const { accountId } = a.principal;
    const known = this.deps.gate.marks.known(a.saleId, accountId, quantity);
    if (known) {
      try {
        this.deps.limiters.memory.checkNow('sale', who);
      } catch (e) {
        this.fail(req, res, ctx, a, e);
        return true;
      }
      countMarkedLoss(known);
      this.lose(req, res, ctx, a, known);
      return true;
    }
    this.deps.gate
      .decide(this.deps.marketing, ctx, a.saleId, accountId, quantity, () =>
        this.deps.limiters.shared.check('sale', who),
      )
      .then(
        (won) => {
          if (typeof won === 'string') return this.lose(req, res, ctx, a, won);
          let text: string;
          try {
            text = this.serialize(won);
          } catch (e) {
            return this.fail(req, res, ctx, a, e); // Fastify's serializer error: a 500 problem
          }
          this.send(res, ctx, a, 201, text, JSON_TYPE);
        },
        (e: unknown) => this.fail(req, res, ctx, a, e),
      )
      .catch((err: unknown) => {
        // never an unhandled rejection: a bug is logged and the connection closed
        this.deps.logger.error({ err, trace_id: ctx.traceId }, 'flash-sale shortcut failed');
        res.destroy();
      });
    return true;
  }

  /** The 409 problem of a loss (from a mark or from marketing), from its canned text. */
  private lose(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: RequestContext,
    a: Taken,
    loss: MarkedLoss,
  ): void {
    const canned = this.lost[loss];
    this.send(
      res,
      ctx,
      a,
      canned.problem.status,
      `${canned.head},"instance":"${req.url}","traceId":"${ctx.traceId}"}`,
      PROBLEM_TYPE,
    );
  }

  /** The ProblemFilter's answer to `e` (an unexpected error logged as it logs one). */
  private fail(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: RequestContext,
    a: Taken,
    e: unknown,
  ): void {
    const { problem, unexpected, headers } = toProblem(e);
    if (unexpected)
      this.deps.logger.error({ err: e, trace_id: ctx.traceId, url: req.url }, 'request failed');
    const text = JSON.stringify({ ...problem, instance: req.url, traceId: ctx.traceId });
    this.send(res, ctx, a, problem.status, text, PROBLEM_TYPE, headers);
  }

  private send(
    res: ServerResponse,
    ctx: RequestContext,
    a: Taken,
    status: number,
    text: string,
    type: string,
    extra?: Record<string, string>,
  ): void {
    const out = [...this.headers, 'traceparent', toTraceparent(ctx)];
    if (extra) for (const k in extra) out.push(k, extra[k]);
    out.push('content-type', type, 'content-length', String(Buffer.byteLength(text)));
    res.writeHead(status, out);
    res.end(text);
    routeDuration('POST', FLASH_ATTEMPT_ROUTE, status).observe(
      (performance.now() - a.started) / 1000,
    );
  }

  /** Fastify's `req.ip`: the socket's address, or with TRUST_PROXY one X-Forwarded-For address. */
  private clientIp(req: IncomingMessage): string | undefined {
    const socket = req.socket.remoteAddress;
    if (!this.deps.trustProxy) return socket;
    const xff = req.headers['x-forwarded-for'];
    if (xff === undefined) return socket;
    // several addresses: Fastify's parser (proxy-addr) decides which; it answers those
    if (typeof xff !== 'string' || xff.includes(',')) return undefined;
    const one = xff.trim();
    return one.length > 0 ? one : socket;
  }
}

/** `application/json`, alone or with `charset=utf-8`: what the JSON parser takes as UTF-8. */
function isJson(type: string | undefined): boolean {
  if (type === undefined) return false;
  if (type.length === 16) return type.toLowerCase() === 'application/json';
  return /^application\/json;[ \t]*charset=(?:"utf-8"|utf-8)$/i.test(type);
}
