import { z } from 'zod';
import { isIso4217Currency } from '@emporia/money';
import { grpcTargetProblem } from './grpc-target';

/** A bad or missing environment variable; the message names every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function refineGrpcTarget(s: string, ctx: z.RefinementCtx): void {
  const problem = grpcTargetProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

/**
 * Validates environment variables against one schema per app. This is the only place that
 * reads `process.env`; a bad value stops start-up with the variable's name.
 */
export function loadConfig<S extends z.ZodTypeAny>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: issue.path.join('.') || '(root)',
        message: issue.message,
      })),
    );
  }
  return result.data;
}

/** Reusable field schemas. */
/** HMAC keys shorter than this are refused (32 hex characters = 128 bits). */
export const MIN_SECRET_LENGTH = 32;

export const env = {
  /**
   * An HMAC key: empty (the feature it guards is off), or at least MIN_SECRET_LENGTH characters
   * and none of `published` (values this repository once showed: anyone can sign with them).
   */
  hmacSecret: (published: readonly string[] = []) =>
    z
      .string()
      .default('')
      .superRefine((s, ctx) => {
        if (s === '') return;
        if (s.length < MIN_SECRET_LENGTH)
          ctx.addIssue({
            code: 'custom',
            message: `must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`,
          });
        else if (published.includes(s))
          ctx.addIssue({
            code: 'custom',
            message: 'is a published development value: generate your own (openssl rand -hex 32)',
          });
      }),
  port: (def: number) => z.coerce.number().int().min(0).max(65535).default(def),
  url: () => z.url(),
  csv: () =>
    z
      .string()
      .min(1)
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      ),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  int: (def: number, min = 0) => z.coerce.number().int().min(min).default(def),
  /**
   * A backend's gRPC address: `host:port` (every address the name resolves to),
   * `dns:///host:port`, or a list of replicas `ip:port,ip:port` (see `grpc-target.ts`).
   */
  grpcTarget: () => z.string().superRefine(refineGrpcTarget),
  /** As `grpcTarget`, or empty: the backend is not configured. */
  optionalGrpcTarget: () =>
    z
      .string()
      .default('')
      .superRefine((s, ctx) => (s === '' ? undefined : refineGrpcTarget(s, ctx))),
  /** An IANA time zone such as Asia/Shanghai (one this Node.js knows). */
  timeZone: (def: string) =>
    z
      .string()
      .default(def)
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-CA', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'must be an IANA time zone such as Asia/Shanghai'),
  /**
   * The currencies the platform takes, comma-separated ISO 4217 codes (`CNY,HKD`): each must be
   * a real currency (not BTC, not XXX, XTS or a metal), or start-up stops naming the variable.
   */
  currencies: (def: string) =>
    z
      .string()
      .default(def)
      .transform((s) => [
        ...new Set(
          s
            .split(',')
            .map((x) => x.trim().toUpperCase())
            .filter(Boolean),
        ),
      ])
      .superRefine((codes, ctx) => {
        const bad = codes.filter((c) => !isIso4217Currency(c));
        if (codes.length === 0 || bad.length > 0)
          ctx.addIssue({
            code: 'custom',
            message: bad.length
              ? `not ISO 4217 currencies: ${bad.map((c) => `'${c}'`).join(', ')}`
              : 'name at least one ISO 4217 currency',
          });
      }),
};

/** The default of CURRENCIES: the renminbi and the currencies of the markets around it. */
export const DEFAULT_CURRENCIES = 'CNY,HKD,MOP,TWD,USD,EUR,GBP,JPY,KRW,SGD';
