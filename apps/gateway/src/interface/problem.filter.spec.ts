import type { FastifyReply, FastifyRequest } from 'fastify';
import { lostFlashAttemptProblem } from './marketing-mappers';
import { problemBody } from './problem';
import { CannedProblem, sendCannedProblem, sendProblem } from './problem.filter';

describe('a canned problem is answered byte for byte as sendProblem answers it', () => {
  const answer = (send: (req: FastifyRequest, reply: FastifyReply) => unknown) => {
    const out: { status?: number; headers: Record<string, string>; body?: unknown } = {
      headers: {},
    };
    const reply = {
      status(s: number) {
        out.status = s;
        return reply;
      },
      header(k: string, v: string) {
        out.headers[k] = v;
        return reply;
      },
      headers(h: Record<string, string>) {
        Object.assign(out.headers, h);
        return reply;
      },
      send(b: unknown) {
        out.body = b;
        return reply;
      },
    };
    const req = {
      url: '/v1/flash-sales/0190a000-0000-7000-8000-00000000f1a1/attempts?x="1"',
      emporiaCtx: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
    };
    send(req as never, reply as never);
    return out;
  };

  it.each([
    lostFlashAttemptProblem('SOLD_OUT'),
    lostFlashAttemptProblem('LIMIT_REACHED'),
    problemBody(429, 'RATE_LIMITED', 'a "quoted" detail'),
  ])('%j', (problem) => {
    const canned = answer((req, reply) =>
      sendCannedProblem(req, reply, new CannedProblem(problem)),
    );
    expect(canned).toEqual(answer((req, reply) => sendProblem(req, reply, problem)));
    expect(JSON.parse(canned.body as string)).toEqual({
      ...problem,
      instance: '/v1/flash-sales/0190a000-0000-7000-8000-00000000f1a1/attempts',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });
});
