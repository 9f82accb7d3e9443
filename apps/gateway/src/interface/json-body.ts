import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, RawServerDefault } from 'fastify';
import { ProblemError } from './problem';

/**
 * Deepest nesting of arrays and objects a request body may have. The deepest DTO (a promotion's
 * `action.tiers[].threshold`) is 4 levels; 32 is ample, and far below what would overflow the
 * stack of anything that walks the value afterwards (class-transformer, the validation pipe).
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a JSON text nests arrays and objects deeper than `max`: one pass over the bytes,
 * brackets inside strings skipped, before anything recursive sees it. UTF-8 multi-byte
 * sequences never contain the ASCII bytes looked at, so the raw buffer can be scanned.
 */
export function jsonDepthExceeds(body: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies, parsed by Fastify's own parser (prototype-poisoning checks included) after two
 * checks: the bytes are UTF-8 (a body that is not is 400 MALFORMED_JSON, never decoded with
 * replacement characters) and nest at most MAX_JSON_DEPTH deep (400 JSON_TOO_DEEP, no stack
 * overflow, nothing logged).
 */
export function useJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const parse = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (req, body, done) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    if (jsonDepthExceeds(bytes, MAX_JSON_DEPTH))
      return done(
        new ProblemError(
          400,
          'JSON_TOO_DEEP',
          `the request body nests arrays and objects more than ${MAX_JSON_DEPTH} deep`,
        ),
        undefined,
      );
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return done(
        new ProblemError(400, 'MALFORMED_JSON', 'the request body is not valid UTF-8'),
        undefined,
      );
    }
    void parse(req, text, done);
  });
}
