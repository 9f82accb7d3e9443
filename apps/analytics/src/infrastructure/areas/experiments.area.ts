import { EXPERIMENT_STORE, RECOMMENDATION_STORE } from '../../application/experiment.ports';
import { ExperimentsUseCase } from '../../application/experiment.use-case';
import { RecommendationsUseCase } from '../../application/recommendation.use-case';
import { ExperimentGrpcController } from '../../interface/experiment.grpc-controller';
import type { Area, AreaContext } from '../area';
import { ExperimentProjection } from '../experiment.projection';
import { SqlExperimentStore, SqlRecommendationStore } from '../experiment.sql-store';
import { RecommendationProjection } from '../recommendation.projection';

/**
 * Experiments and recommendations: definitions, assignments and results over gRPC; the
 * projections keeping exposures, conversions and the pair counts of "bought together" and
 * "viewed together".
 */
export function experimentsArea({ postgres }: AreaContext): Area {
  return {
    controllers: [ExperimentGrpcController],
    providers: [
      { provide: EXPERIMENT_STORE, useValue: new SqlExperimentStore(postgres) },
      { provide: RECOMMENDATION_STORE, useValue: new SqlRecommendationStore(postgres) },
      ExperimentsUseCase,
      RecommendationsUseCase,
    ],
    projections: [new ExperimentProjection(), new RecommendationProjection()],
  };
}
