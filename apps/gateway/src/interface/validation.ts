import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { bodyMayBeOmitted } from './dto/validators';
import { ProblemError } from './problem';

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * A body of a route that takes one must be a JSON object: Nest's pipe would validate a missing
 * body, `null` or an array as `{}` (so a route whose fields are all optional accepted nothing).
 * Only a body class marked `@BodyMayBeOmitted()` may be left out (no body is `{}`).
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.type === 'body' && typeof metadata.metatype === 'function';
    if (dto && value === undefined && bodyMayBeOmitted(metadata.metatype))
      return super.transform({}, metadata);
    if (dto && (typeof value !== 'object' || value === null || Array.isArray(value)))
      throw new ProblemError(
        400,
        'BODY_REQUIRED',
        value === undefined
          ? 'this route takes a JSON object as its body'
          : 'the body must be a JSON object',
      );
    return super.transform(value, metadata);
  }
}

/** Strict DTO validation: unknown properties, wrong types and bad values are a 400 problem. */
export const validationPipe = new StrictValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  exceptionFactory: (errors) => {
    const list = flatten(errors);
    return new ProblemError(
      400,
      'VALIDATION_FAILED',
      list.map((e) => `${e.field}: ${e.message}`).join('; ') || 'invalid request',
      list,
    );
  },
});
