import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { toCriteria, type SearchInput } from '../domain/search-criteria';
import { PRODUCT_INDEX, type ProductIndex, type SearchPage } from './ports';

@Injectable()
export class SearchProductsUseCase {
  constructor(@Inject(PRODUCT_INDEX) private readonly index: ProductIndex) {}

  execute(_ctx: RequestContext, input: SearchInput, after?: unknown[]): Promise<SearchPage> {
    return this.index.search(toCriteria(input), after);
  }
}
