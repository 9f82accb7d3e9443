import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from './problem';
import { FORM_TYPES, takesFormBody } from './form-body';
import {
  contextFromTraceparent,
  nameHttpRoute,
  histogram,
  toTraceparent,
  type RequestContext,
} from '@emporia/platform';

declare module 'fastify' {
  interface FastifyRequest {
    emporiaCtx?: RequestContext;
  }
}

const httpSeconds = histogram('emporia_http_request_duration_seconds', 'Gateway HTTP requests', [
  'method',
  'route',
  'status',
]);

/**
 * Every request gets a context continuing the caller's W3C `traceparent` (or a new trace), echoed
 * back in the response's `traceparent`; durations are recorded by route and status.
 */
export function installRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    const header = req.headers.traceparent;
    req.emporiaCtx = contextFromTraceparent(Array.isArray(header) ? header[0] : header);
    nameHttpRoute(req.routeOptions.url ?? 'unmatched');
    void reply.header('traceparent', toTraceparent(req.emporiaCtx));
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    routeDuration(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode).observe(
      reply.elapsedTime / 1000,
    );
    done();
  });
}

// one histogram child per method, route and status, found without building the labels
const children = new Map<string, ReturnType<typeof httpSeconds.labels>>();

/**
 * The request-duration histogram's child of a method, route (pattern) and status, in seconds:
 * for answers made outside Fastify's hooks (the flash-sale shortcut) to be counted alike.
 */
export function routeDuration(
  method: string,
  route: string,
  status: number,
): ReturnType<typeof httpSeconds.labels> {
  const key = `${method} ${status} ${route}`;
  let child = children.get(key);
  if (!child) {
    child = httpSeconds.labels({ method, route, status: String(status) });
    children.set(key, child);
  }
  return child;
}

export function requestContext(req: FastifyRequest): RequestContext {
  return req.emporiaCtx ?? contextFromTraceparent(undefined);
}

/** The request context as a controller argument. */
export const Ctx = createParamDecorator((_data: unknown, host: ExecutionContext) =>
  requestContext(host.switchToHttp().getRequest<FastifyRequest>()),
);

/**
 * JSON only (and form bodies on `@FormBody()` routes): a request body of any other type is a 415
 * problem, never silently ignored.
 */
export function requireJsonBodies(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 ||
      req.headers['transfer-encoding'] !== undefined;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const form = (FORM_TYPES as readonly string[]).includes(type) && takesFormBody(req);
    if (hasBody && type !== 'application/json' && !form)
      return done(
        new ProblemError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `send the body as application/json, not '${type || 'no content type'}'`,
        ),
      );
    done();
  });
}
