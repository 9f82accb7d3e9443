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
