import { EXPERIMENT_STORE, RECOMMENDATION_STORE } from '../../application/experiment.ports';
import { ExperimentsUseCase } from '../../application/experiment.use-case';
import { RecommendationsUseCase } from '../../application/recommendation.use-case';
import { ExperimentGrpcController } from '../../interface/experiment.grpc-controller';
import { dayOf } from '../../domain/facts';
import type { Area, AreaContext } from '../area';
import { ExperimentProjection } from '../experiment.projection';
import { SqlExperimentStore, SqlRecommendationStore } from '../experiment.sql-store';
import { RecommendationProjection } from '../recommendation.projection';

/**
 * Experiments and recommendations: definitions, assignments and results over gRPC; the
 * projections keeping exposures, conversions and the pair counts of "bought together" and
 * "viewed together".
 */
export function experimentsArea({ postgres, config }: AreaContext): Area {
  const recommendations = new SqlRecommendationStore(postgres);
  const dayMs = 86_400_000;
  return {
    controllers: [ExperimentGrpcController],
    providers: [
      { provide: EXPERIMENT_STORE, useValue: new SqlExperimentStore(postgres) },
      { provide: RECOMMENDATION_STORE, useValue: recommendations },
      ExperimentsUseCase,
      RecommendationsUseCase,
    ],
    projections: [new ExperimentProjection(), new RecommendationProjection()],
    sweeps: () => [
      {
        name: 'recommendation-view-sessions',
        everyMs: config.ANALYTICS_VIEW_SESSION_SWEEP_MS,
        run: () =>
          recommendations.pruneViewSessions(
            dayOf(
              new Date(Date.now() - config.ANALYTICS_VIEW_SESSION_DAYS * dayMs),
              config.ANALYTICS_TIME_ZONE,
            ),
          ),
      },
    ],
  };
}
