import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { analyticsV1 } from '@emporia/contracts';
import { withGrpcContext } from '@emporia/platform';
import { ExperimentsUseCase, type ExperimentView } from '../application/experiment.use-case';
import { RecommendationsUseCase } from '../application/recommendation.use-case';
import { AnalyticsError } from '../domain/analytics-error';

const SERVICE = 'AnalyticsService';

const experimentOut = ({ experiment: e, status }: ExperimentView): analyticsV1.Experiment => ({
  key: e.key,
  name: e.name,
  variants: e.variants.map((v) => ({ key: v.key, weight: v.weight })),
  startAt: e.startAt.toISOString(),
  stopAt: e.stopAt.toISOString(),
  primaryMetric: e.primaryMetric,
  status,
});

/** Experiments (definitions, assignments, results) and product recommendations over gRPC. */
@Controller()
export class ExperimentGrpcController {
  constructor(
    private readonly experiments: ExperimentsUseCase,
    private readonly recommendations: RecommendationsUseCase,
  ) {}

  @GrpcMethod(SERVICE, 'UpsertExperiment')
  upsertExperiment(
    req: analyticsV1.UpsertExperimentRequest,
    md?: Metadata,
  ): Promise<analyticsV1.UpsertExperimentResponse> {
    return withGrpcContext(md, async () => {
      const e = req.experiment;
      if (!e)
        throw new AnalyticsError(
          'INVALID_ARGUMENT',
          'EXPERIMENT_REQUIRED',
          'experiment is required',
          {
            field: 'experiment',
          },
        );
      const saved = await this.experiments.upsert({
        key: e.key,
        name: e.name,
        variants: (e.variants ?? []).map((v) => ({ key: v.key, weight: v.weight })),
        startAt: e.startAt,
        stopAt: e.stopAt,
        primaryMetric: e.primaryMetric,
      });
      return { experiment: experimentOut(saved) };
    });
  }

  @GrpcMethod(SERVICE, 'ListExperiments')
  listExperiments(
    _req: analyticsV1.ListExperimentsRequest,
    md?: Metadata,
  ): Promise<analyticsV1.ListExperimentsResponse> {
    return withGrpcContext(md, async () => ({
      experiments: (await this.experiments.list()).map(experimentOut),
    }));
  }

  @GrpcMethod(SERVICE, 'GetAssignments')
  getAssignments(
    req: analyticsV1.GetAssignmentsRequest,
    md?: Metadata,
  ): Promise<analyticsV1.GetAssignmentsResponse> {
    return withGrpcContext(md, async () => ({
      assignments: await this.experiments.assignments({
        anonymousId: req.anonymousId,
        accountId: req.accountId,
      }),
    }));
  }

  @GrpcMethod(SERVICE, 'GetExperimentResults')
  getExperimentResults(
    req: analyticsV1.GetExperimentResultsRequest,
    md?: Metadata,
  ): Promise<analyticsV1.GetExperimentResultsResponse> {
    return withGrpcContext(md, async () => {
      const r = await this.experiments.results(req.key);
      return {
        experiment: experimentOut(r),
        variants: r.variants.map((v) => ({ ...v })),
        srmPValue: r.srmPValue,
        sampleRatioMismatch: r.sampleRatioMismatch,
      };
    });
  }

  @GrpcMethod(SERVICE, 'GetRecommendations')
  getRecommendations(
    req: analyticsV1.GetRecommendationsRequest,
    md?: Metadata,
  ): Promise<analyticsV1.GetRecommendationsResponse> {
    return withGrpcContext(md, async () => ({
      items: await this.recommendations.get({
        productId: req.productId,
        kind: req.kind,
        limit: req.limit,
      }),
    }));
  }
}
