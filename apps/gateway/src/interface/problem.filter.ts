import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@emporia/platform';
import { ProblemError, toProblem, type Problem } from './problem';
import { requestContext } from './request-context';

/** The one place every HTTP error becomes `application/problem+json`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  /**
   * `allowedMethods(url)`: the methods a known path takes, so that an unsupported method on it
   * is 405 with `Allow` rather than 404 (see RouteTable).
   */
  constructor(
    private readonly logger: Logger,
    private readonly allowedMethods: (url: string) => string[] = () => [],
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const ctx = requestContext(req);
    let { problem, unexpected, headers } = toProblem(exception);
    // No route matched (Fastify's 404 handler): a known path with another method is 405,
    // whatever Fastify found wrong first (a QUERY without a content type is its 400).
    if (req.is404 && problem.status !== 414) {
      const allow = this.allowedMethods(req.url);
      if (allow.length > 0) {
        void reply.header('allow', allow.join(', '));
        ({ problem, unexpected, headers } = toProblem(
          new ProblemError(
            405,
            'METHOD_NOT_ALLOWED',
            `${req.method} is not allowed here; use ${allow.join(', ')}`,
          ),
        ));
      }
    }
    if (unexpected)
      this.logger.error({ err: exception, trace_id: ctx.traceId, url: req.url }, 'request failed');
    sendProblem(req, reply, problem, headers);
  }
}

/**
 * Answers a problem: status, its headers, `application/problem+json` with the request's path
 * (`instance`) and trace id. The ProblemFilter's answer, also used by fast routes for the
 * problems they throw (without the detour through Fastify's error handler and Nest's filter).
 */
export function sendProblem(
  req: FastifyRequest,
  reply: FastifyReply,
  problem: Problem,
  headers?: Record<string, string>,
): FastifyReply {
  if (headers) void reply.headers(headers);
  return reply
    .status(problem.status)
    .header('content-type', 'application/problem+json')
    .send(
      JSON.stringify({
        ...problem,
        // an over-long URI is not read back to the caller
        ...(problem.status === 414 ? {} : { instance: pathOf(req.url) }),
        traceId: requestContext(req).traceId,
      }),
    );
}

/**
 * A problem answered often and always alike (a flash sale's "sold out" from the gateway's mark):
 * its JSON written once, the request's `instance` and `traceId` added per answer. Sent by
 * `sendCannedProblem`, byte for byte what `sendProblem` sends for the same problem.
 */
export class CannedProblem {
  readonly head: string;
  constructor(readonly problem: Problem) {
    if (problem.status === 414) throw new Error('a 414 does not read the URL back');
    this.head = JSON.stringify(problem).slice(0, -1);
  }
}

export function sendCannedProblem(
  req: FastifyRequest,
  reply: FastifyReply,
  canned: CannedProblem,
): FastifyReply {
  return reply
    .status(canned.problem.status)
    .header('content-type', 'application/problem+json')
    .send(
      `${canned.head},"instance":${JSON.stringify(pathOf(req.url))},"traceId":${JSON.stringify(
        requestContext(req).traceId,
      )}}`,
    );
}

const pathOf = (url: string) => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};
