import { RouteConfig } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest, RawServerDefault } from 'fastify';
import { ProblemError } from './problem';

/** The form types a `@FormBody()` route takes besides JSON (RFC 8058 names both). */
export const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'] as const;

/** The largest form body taken: a one-click unsubscribe is a few dozen bytes. */
export const FORM_BODY_LIMIT = 8 * 1024;

/**
 * Marks a route that also takes an HTML form body (`application/x-www-form-urlencoded` or
 * `multipart/form-data`), as mail providers post RFC 8058 one-click unsubscribes. Every other
 * route keeps answering 415 to anything but JSON.
 */
export const FormBody = () => RouteConfig({ formBody: true });

/** Whether the request's route is marked with `@FormBody()`. */
export const takesFormBody = (req: FastifyRequest): boolean =>
  (req.routeOptions.config as { formBody?: boolean } | undefined)?.formBody === true;

/**
 * Parses form bodies into a plain object of their text fields, with the platform's own WHATWG
 * form parser (undici's `Response.formData()`, which reads both form types); file parts are
 * refused. Only `@FormBody()` routes get this far (see requireJsonBodies).
 */
export function useFormBodyParser(app: NestFastifyApplication): void {
  app.useBodyParser<RawServerDefault>(
    [...FORM_TYPES],
    { bodyLimit: FORM_BODY_LIMIT },
    (req, body, done) => {
      const type = req.headers['content-type'] ?? '';
      new Response(body as Buffer, { headers: { 'content-type': type } })
        .formData()
        .then((form) => {
          const fields: Record<string, string> = {};
          for (const [name, value] of form.entries()) {
            if (typeof value !== 'string')
              throw new ProblemError(400, 'VALIDATION_FAILED', 'the form may not carry files', [
                { field: name, message: 'must be a text field' },
              ]);
            fields[name] = value;
          }
          done(null, fields);
        })
        .catch((err: unknown) =>
          done(
            err instanceof ProblemError
              ? err
              : new ProblemError(400, 'MALFORMED_FORM', 'the request body is not a valid form'),
            undefined,
          ),
        );
    },
  );
}
