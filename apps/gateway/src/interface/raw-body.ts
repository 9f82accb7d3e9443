import { Readable } from 'node:stream';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from './problem';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's exact bytes, on routes marked with `@RawBody()`. */
    rawBody?: Buffer;
  }
}

/**
 * Keeps the request body's exact bytes in `req.rawBody` (a signature over the body is checked
 * on them, never on a re-serialisation); such bodies may have at most `limit` bytes.
 */
export const RawBody = (limit = 64 * 1024) => RouteConfig({ rawBody: limit });

/** Installs the `@RawBody()` capture: a copy of the body is taken before the JSON parser runs. */
export function captureRawBodies(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', (req, _reply, payload, done) => {
    const limit = (req.routeOptions.config as { rawBody?: number } | undefined)?.rawBody;
    if (!limit) return done(null, payload);
    capture(req, payload, limit).then(
      (raw) => done(null, raw),
      (err: Error) => done(err),
    );
  });
}

async function capture(
  req: FastifyRequest,
  payload: AsyncIterable<Buffer> | Readable,
  limit: number,
): Promise<Readable> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new ProblemError(413, 'PAYLOAD_TOO_LARGE', `the body may have at most ${limit} bytes`);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  req.rawBody = raw;
  return Object.assign(Readable.from([raw]), { receivedEncodedLength: raw.length });
}
