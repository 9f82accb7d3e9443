import type { PipeTransform } from '@nestjs/common';
import { describedPipe } from './openapi-contract';
import { ProblemError } from './problem';

/**
 * A path parameter that must match `pattern` (anchored), checked before any backend call: a 400
 * problem `PATH_PARAMETER_INVALID` naming it otherwise. The pattern is the parameter's schema
 * in the OpenAPI document.
 */
export function patternParam(
  name: string,
  pattern: RegExp,
  rule: string,
): PipeTransform<string, string> {
  return describedPipe(
    {
      transform(value: string): string {
        if (!pattern.test(value ?? ''))
          throw new ProblemError(400, 'PATH_PARAMETER_INVALID', `${name} must be ${rule}`, [
            { field: name, message: `must be ${rule}` },
          ]);
        return value;
      },
    },
    { type: 'string', pattern: pattern.source, description: rule },
  );
}

/** A name in a path: a provider, carrier, import source (lower-case letters, digits, '-', '_'). */
export const nameParam = (name: string) =>
  patternParam(
    name,
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    "1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit",
  );
