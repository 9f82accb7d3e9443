import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from './problem';

/**
 * What the gateway refuses in any text it accepts, before validation and before any backend:
 * JSON bodies at any depth (values and keys), query strings, path parameters and the text
 * headers it passes on. One walk per request instead of a decorator on each of ~150 fields.
 *
 * - C0 controls (U+0000–U+001F), DEL and C1 controls (U+007F–U+009F): Postgres refuses NUL
 *   (that was a 502), and the rest only ever serve to corrupt logs, CSV exports and terminals.
 *   TAB, LF and CR are kept in free text, whose key is one of MULTI_LINE_KEYS (a description,
 *   a review note, a reason); everywhere else (names, e-mails, codes, query strings, path
 *   parameters) text is one line, and U+2028/U+2029 count as line breaks too.
 * - Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), in every
 *   field: the bidi algorithm orders Arabic and Hebrew text without them, and they are how a
 *   name is made to read as something else ("invoice<U+202E>fdp.exe").
 * - Unpaired UTF-16 surrogates (JSON "\ud800"): refused, never replaced with U+FFFD.
 *
 * Fields named `currency` (MoneyDto, the search filter, payment callbacks) must be one of the
 * platform's CURRENCIES.
 */

/** Keys whose strings may span lines (TAB, LF, CR); new free-text fields are added here. */
export const MULTI_LINE_KEYS: ReadonlySet<string> = new Set([
  'description',
  'note',
  'reason',
  // tickets' messages, surveys, resolutions and templates; reviews and merchant replies
  'body',
  'comment',
  'resolutionNote',
  'text',
]);

/** The text headers the gateway passes to backends: printable ASCII only. */
export const TEXT_HEADERS = ['X-Device-Id', 'X-Guest-Token', 'Idempotency-Key'] as const;

/** At most this many field errors in one answer (a list import can have 10,000 entries). */
const MAX_ERRORS = 20;

// With the `u` flag a surrogate class matches only a surrogate that is not half of a pair.
// Matching control characters is the point of these two:
/* eslint-disable no-control-regex */
/** The characters refused in one-line text and in free text (for the OpenAPI document too). */
export const REFUSED_CHARACTERS = {
  singleLine: /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u,
  multiLine: /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u,
};
const SINGLE_LINE = new RegExp(`${REFUSED_CHARACTERS.singleLine.source}|[\\uD800-\\uDFFF]`, 'u');
const MULTI_LINE = new RegExp(`${REFUSED_CHARACTERS.multiLine.source}|[\\uD800-\\uDFFF]`, 'u');
/* eslint-enable no-control-regex */
export const NOT_PRINTABLE_ASCII = /[^\u0020-\u007E]/;

export interface FieldError {
  field: string;
  message: string;
}

const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

function describe(char: string): string {
  const c = char.charCodeAt(0);
  if (c >= 0xd800 && c <= 0xdfff) return `an unpaired surrogate (${hex(c)})`;
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
    return `a bidirectional formatting character (${hex(c)})`;
  if (c === 0x2028 || c === 0x2029 || c === 0x0a || c === 0x0d || c === 0x09)
    return `a line break or tab (${hex(c)}), which only free text may have`;
  return `a control character (${hex(c)})`;
}

/** What is wrong with one string, or undefined. */
export function textProblem(value: string, multiLine: boolean): string | undefined {
  const m = (multiLine ? MULTI_LINE : SINGLE_LINE).exec(value);
  return m ? `contains ${describe(m[0])} at position ${m.index}` : undefined;
}

/** A key as it appears in a field path: itself, or JSON-quoted when it is not plain text. */
const keyName = (key: string) =>
  /^[A-Za-z0-9_$-]+$/.test(key)
    ? key
    : JSON.stringify(key).replace(
        /[\u007F-\uFFFF]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );

const join = (parent: string, key: string) => (parent ? `${parent}.${key}` : key);

export interface WalkOptions {
  /** Strings of a query string or path: always one line, whatever their key. */
  singleLine?: boolean;
  currencies?: ReadonlySet<string>;
}

/**
 * Every string of a parsed JSON value (or query, or params), with its key, checked: field paths
 * as the validation errors name them (`skus.0.attributes.color`). Depth is bounded by the
 * parser (json-body.ts), so the recursion is.
 */
export function findInputProblems(
  value: unknown,
  options: WalkOptions = {},
  path = '',
  key = '',
  out: FieldError[] = [],
): FieldError[] {
  if (out.length >= MAX_ERRORS) return out;
  if (typeof value === 'string') {
    const field = path || key;
    const problem = textProblem(value, !options.singleLine && MULTI_LINE_KEYS.has(key));
    if (problem) out.push({ field, message: `${field} ${problem}` });
    else if (key === 'currency' && options.currencies && !options.currencies.has(value))
      out.push({
        field,
        message: `${field} must be one of the currencies this platform takes: ${[...options.currencies].join(', ')}`,
      });
    return out;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => findInputProblems(v, options, join(path, String(i)), key, out));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyIssue = textProblem(k, false);
      if (keyIssue) {
        const field = join(path, keyName(k));
        out.push({ field, message: `the name of ${field} ${keyIssue}` });
        continue;
      }
      findInputProblems(v, options, join(path, k), k, out);
    }
  }
  return out;
}

/** The text headers: printable ASCII (Node's parser already refuses C0 controls and DEL). */
export function findHeaderProblems(headers: FastifyRequest['headers']): FieldError[] {
  const out: FieldError[] = [];
  for (const name of TEXT_HEADERS) {
    const raw = headers[name.toLowerCase()];
    for (const value of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
      const m = NOT_PRINTABLE_ASCII.exec(value);
      if (m)
        out.push({
          field: name,
          message: `${name} must be printable ASCII; it contains ${hex(m[0].charCodeAt(0))} at position ${m.index}`,
        });
    }
  }
  return out;
}

/**
 * The checks as a Fastify hook: after parsing and routing, before Nest's guards, pipes and
 * handlers, so nothing refused here reaches a backend. A 400 VALIDATION_FAILED names each field.
 */
export function installInputChecks(
  fastify: FastifyInstance,
  options: { currencies: readonly string[] },
): void {
  const currencies = new Set(options.currencies);
  fastify.addHook('preValidation', (req, _reply, done) => {
    const errors = [
      ...findHeaderProblems(req.headers),
      ...findInputProblems(req.params, { singleLine: true }),
      ...findInputProblems(req.query, { singleLine: true, currencies }),
      ...findInputProblems(req.body, { currencies }),
    ].slice(0, MAX_ERRORS);
    if (errors.length > 0)
      return done(
        new ProblemError(400, 'VALIDATION_FAILED', errors.map((e) => e.message).join('; '), errors),
      );
    done();
  });
}
