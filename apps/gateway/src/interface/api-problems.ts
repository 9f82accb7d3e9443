import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ProblemView } from './dto/views.dto';

/** Documents problem+json answers of a route. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ...[...new Set([400, ...statuses, 503])].map((status) =>
      ApiResponse({
        status,
        description: 'RFC 9457 problem details',
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemView' } },
        },
      }),
    ),
  );

export { ProblemView };

/**
 * Documents problem+json answers of a route with the stable `code`s each status may carry (the
 * backend's codes, mapped by gRPC status: INVALID_ARGUMENT 400, PERMISSION_DENIED 403, NOT_FOUND
 * 404, ALREADY_EXISTS and ABORTED 409, FAILED_PRECONDITION 422; see problem.ts). 400 always
 * lists VALIDATION_FAILED, the gateway's own check of the request's shape.
 */
export const ApiProblemCodes = (codes: Partial<Record<number, readonly string[]>>) =>
  applyDecorators(
    ...[...new Set([400, ...Object.keys(codes).map(Number), 503])].map((status) => {
      const list = [...(status === 400 ? ['VALIDATION_FAILED'] : []), ...(codes[status] ?? [])];
      return ApiResponse({
        status,
        description: list.length
          ? `RFC 9457 problem details; code: ${list.join(', ')}`
          : 'RFC 9457 problem details',
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemView' } },
        },
      });
    }),
  );
