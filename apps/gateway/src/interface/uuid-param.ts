import { ParseUUIDPipe } from '@nestjs/common';
import { describedPipe } from './openapi-contract';
import { ProblemError } from './problem';

/** Path ids are UUIDs; anything else is a 400 problem, before any backend call. */
export const uuidParam = describedPipe(
  new ParseUUIDPipe({
    exceptionFactory: () =>
      new ProblemError(400, 'ID_INVALID', 'the id in the path must be a UUID'),
  }),
  { type: 'string', format: 'uuid' },
);
