import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ProblemError } from './problem';

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Strict DTO validation: unknown properties, wrong types and bad values are a 400 problem. */
export const validationPipe = new ValidationPipe({
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
