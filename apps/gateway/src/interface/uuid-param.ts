import { ParseUUIDPipe } from '@nestjs/common';
import { ProblemError } from './problem';

/** Path ids are UUIDs; anything else is a 400 problem, before any backend call. */
export const uuidParam = new ParseUUIDPipe({
  exceptionFactory: () => new ProblemError(400, 'ID_INVALID', 'the id in the path must be a UUID'),
});
