import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@emporia/platform';
import { ProblemError, toProblem } from './problem';
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
    if (headers) void reply.headers(headers);
    void reply
      .status(problem.status)
      .header('content-type', 'application/problem+json')
      .send({
        ...problem,
        // an over-long URI is not read back to the caller
        ...(problem.status === 414 ? {} : { instance: req.url.split('?')[0] }),
        traceId: ctx.traceId,
      });
  }
}
