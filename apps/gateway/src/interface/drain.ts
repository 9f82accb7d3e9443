import { Server as NetServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from './problem';

/** `Retry-After` (seconds) of a request refused because this gateway is shutting down. */
export const DRAIN_RETRY_AFTER_SECONDS = 1;
/**
 * Shutting down (SIGTERM; readiness already answers 503): the listener stops accepting (a new
 * connection is refused), requests in flight finish with their own answers, and any request that
 * still arrives on an open keep-alive connection is refused with 503 problem+json
 * `SHUTTING_DOWN`, `Retry-After: 1` and `Connection: close` (Fastify's own answer was plain JSON
 * without a code): it never ran, so retrying it elsewhere is safe for any method, and the server
 * closes that connection after the answer.
 *
 * A keep-alive connection idle when the drain begins is not closed at once: a client may be
 * writing a request on it at that instant, and would see it reset unanswered (the chaos run's
 * SIGTERM of the gateway did). It is left for the client to use, and so to be told to close,
 * for up to `idleMs`; then the ones still idle are closed. A load balancer has stopped sending
 * by then. Needs `return503OnClosing: false` (edgeServerOptions). Returns the drain's state, for
 * what answers requests before Fastify (the flash-sale shortcut).
 */
export function installDrain(fastify: FastifyInstance, opts: { idleMs: number }): DrainState {
  const state = { draining: false };
  fastify.addHook('preClose', async () => {
    state.draining = true;
    const server = fastify.server;
    if (!server.listening) return;
    // net.Server's close: stops accepting and calls back once every connection has ended
    // (http.Server's close also closes the idle keep-alive connections at once)
    const ended = new Promise<void>((resolve) =>
      NetServer.prototype.close.call(server, () => resolve()),
    );
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'bound'>((resolve) => {
      timer = setTimeout(() => resolve('bound'), opts.idleMs);
    });
    const first = await Promise.race([ended, bound]);
    clearTimeout(timer);
    if (first !== 'bound') return;
    server.closeIdleConnections();
    await ended; // requests still in flight finish (runMain's grace bounds the whole shutdown)
  });
  fastify.addHook('onRequest', (_req, _reply, done) => {
    if (!state.draining) return done();
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
  return state;
}

/** Whether this gateway is draining (shutting down). */
export interface DrainState {
  readonly draining: boolean;
}
