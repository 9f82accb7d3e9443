import { Inject, Injectable } from '@nestjs/common';
import { recommendationQuery, type Recommendation } from '../domain/recommendation';
import { RECOMMENDATION_STORE, type RecommendationStore } from './experiment.ports';

/** "Bought together" and "viewed together" for a product page, from the kept pair counts. */
@Injectable()
export class RecommendationsUseCase {
  constructor(@Inject(RECOMMENDATION_STORE) private readonly store: RecommendationStore) {}

  async get(input: { productId: string; kind: string; limit: number }): Promise<Recommendation[]> {
    return this.store.related(recommendationQuery(input));
  }
}
