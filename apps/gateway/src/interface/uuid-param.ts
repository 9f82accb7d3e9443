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

/**
 * The same check as a JSON schema of the path parameters `{ id }` (the UUIDs ParseUUIDPipe takes),
 * for fast routes (fast-route.ts): a request failing it is left to the Nest route (400 ID_INVALID).
 */
export const uuidIdParams = {
  type: 'object',
  properties: {
    id: {
      type: 'string',
      pattern:
        '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[1-8][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$',
    },
  },
  required: ['id'],
} as const;
