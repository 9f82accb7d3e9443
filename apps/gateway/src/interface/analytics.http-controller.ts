import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { ANALYTICS_BACKEND, type AnalyticsBackend, type Principal } from '../application/ports';
import { ingestRequest, ingestResult, weighEvents } from './analytics-mappers';
import { ApiProblems } from './api-problems';
import { MaybeCaller, OptionalAuth } from './auth.guard';
import { AssignmentsQuery, RecommendationsQuery } from './dto/analytics.dto';
import { AssignmentList, RecommendationList } from './dto/analytics-views.dto';
import {
  EventsAcceptedView,
  IngestEventsDto,
  InvalidEventsProblemView,
  MAX_EVENT_BATCH,
  MAX_EVENT_BODY_BYTES,
} from './dto/events.dto';
import { ProblemView } from './dto/views.dto';
import { RateLimit } from './rate-limit.guard';
import { RawBody } from './raw-body';
import { Ctx } from './request-context';
import { uuidParam } from './uuid-param';

/** How long a product page may cache its recommendations (they change with orders, slowly). */
const RECOMMENDATIONS_MAX_AGE_SECONDS = 60;

/**
 * The storefront's analytics: behaviour events in, experiment assignments and product
 * recommendations out. Analytics is not a readiness dependency of the gateway (the shop works
 * without it): while it is down these routes answer 503 and storefronts keep their events.
 */
@ApiTags('analytics')
@ApiExtraModels(InvalidEventsProblemView)
@Controller('v1')
export class AnalyticsHttpController {
  constructor(@Inject(ANALYTICS_BACKEND) private readonly analytics: AnalyticsBackend) {}

  @Post('events')
  @HttpCode(202)
  // analytics published the valid ones to Kafka before answering; the invalid ones are named
  @ApiResponse({
    status: 400,
    description:
      'RFC 9457 problem details: a structural error refuses the whole batch (VALIDATION_FAILED, BODY_REQUIRED, ...); INVALID_EVENTS names each refused event in `errors` and says how many of the batch were kept in `accepted` (do not send those again)',
    content: {
      'application/problem+json': {
        schema: {
          anyOf: [
            { $ref: getSchemaPath(ProblemView) },
            { $ref: getSchemaPath(InvalidEventsProblemView) },
          ],
        },
      },
    },
  })
  @OptionalAuth()
  @RateLimit('events', { weigh: (req: FastifyRequest) => weighEvents(req.body, MAX_EVENT_BATCH) })
  @RawBody(MAX_EVENT_BODY_BYTES)
  @ApiAcceptedResponse({ type: EventsAcceptedView, description: 'every event accepted' })
  @ApiProblems(413)
  async ingest(
    @Ctx() ctx: RequestContext,
    @Body() body: IngestEventsDto,
    @MaybeCaller() caller: Principal | undefined,
  ): Promise<EventsAcceptedView> {
    const r = await this.analytics.ingestBehaviourEvents(
      ctx,
      ingestRequest(body.events, caller?.accountId, new Date()),
    );
    return ingestResult(r);
  }

  @Get('experiments/assignments')
  @OptionalAuth()
  @ApiOkResponse({
    type: AssignmentList,
    description:
      'the variant of each running experiment this visitor sees (by the account when signed in, else the anonymous id): deterministic, the same on every call',
  })
  @ApiProblems()
  async assignments(
    @Ctx() ctx: RequestContext,
    @Query() q: AssignmentsQuery,
    @MaybeCaller() caller: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AssignmentList> {
    const r = await this.analytics.getAssignments(ctx, {
      anonymousId: q.anonymousId,
      accountId: caller?.accountId ?? '',
    });
    void reply.header('cache-control', 'private, no-store');
    return {
      items: r.assignments.map((a) => ({ experimentKey: a.experimentKey, variant: a.variant })),
    };
  }

  @Get('products/:productId/recommendations')
  @ApiOkResponse({
    type: RecommendationList,
    description: `products bought (or viewed) together with this one, best first; cacheable for ${RECOMMENDATIONS_MAX_AGE_SECONDS} s`,
  })
  @ApiProblems(404)
  async recommendations(
    @Ctx() ctx: RequestContext,
    @Param('productId', uuidParam) productId: string,
    @Query() q: RecommendationsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RecommendationList> {
    const r = await this.analytics.getRecommendations(ctx, {
      productId,
      kind: q.kind ?? 'bought_together',
      limit: q.limit ?? 10,
    });
    void reply.header('cache-control', `public, max-age=${RECOMMENDATIONS_MAX_AGE_SECONDS}`);
    return {
      items: r.items.map((i) => ({
        productId: i.productId,
        together: Number(i.together),
        score: i.score,
      })),
    };
  }
}
