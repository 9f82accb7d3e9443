import type { FastifyInstance } from 'fastify';
import { ProblemError } from './problem';

/** `Retry-After` (seconds) of a request refused because this gateway is shutting down. */
export const DRAIN_RETRY_AFTER_SECONDS = 1;
/** While draining, a keep-alive connection left idle this long is closed (was 72 s). */
export const DRAIN_KEEP_ALIVE_MS = 1000;

/**
 * Shutting down (SIGTERM; readiness already answers 503): Fastify stops listening and closes
 * idle connections, and requests in flight finish with their own answers. A request that still
 * arrives — on a keep-alive connection whose request was in flight, or pipelined — is refused
 * with 503 problem+json `SHUTTING_DOWN`, `Retry-After: 1` and `Connection: close` (Fastify's own
 * answer was plain JSON without a code): it never ran, so retrying it elsewhere is safe for any
 * method. Connections idle for DRAIN_KEEP_ALIVE_MS are closed, so no keep-alive connection holds
 * the shutdown up. Needs `return503OnClosing: false` (edgeServerOptions).
 */
export function installDrain(fastify: FastifyInstance): void {
  let draining = false;
  fastify.addHook('preClose', async () => {
    draining = true;
    fastify.server.keepAliveTimeout = Math.min(
      fastify.server.keepAliveTimeout,
      DRAIN_KEEP_ALIVE_MS,
    );
  });
  fastify.addHook('onRequest', (_req, _reply, done) => {
    if (!draining) return done();
    done(
      new ProblemError(
        503,
        'SHUTTING_DOWN',
        `this gateway instance is shutting down and did not run the request; retry after ${DRAIN_RETRY_AFTER_SECONDS} s`,
        undefined,
        { 'retry-after': String(DRAIN_RETRY_AFTER_SECONDS), connection: 'close' },
      ),
    );
  });
}

/**
 * The drain's grace: for `graceMs` after the shutdown began, the listener stays open and every
 * request, on a new connection or a keep-alive one, is answered 503 `SHUTTING_DOWN` with
 * `Connection: close` (installDrain), so each connection a client uses ends after an answer.
 * Then the server closes. Without the grace it closed idle keep-alive connections at once, and a
 * request a client wrote on one at that instant was reset unanswered (the chaos run's SIGTERM of
 * the gateway saw one). A load balancer takes the replica out meanwhile: its readiness already
 * answers 503. Register it after every other `preClose` hook (the flash-sale shortcut's
 * included), so that it runs last.
 */
export function installDrainGrace(fastify: FastifyInstance, graceMs: number): void {
  fastify.addHook('preClose', async () => {
    if (graceMs > 0) await new Promise((r) => setTimeout(r, graceMs));
  });
}
