import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { RequestContext } from '@emporia/platform';
import { SEARCH_BACKEND, type SearchBackend } from '../application/ports';
import { ApiProblems } from './api-problems';
import { SearchQuery } from './dto/query.dto';
import { SearchPage } from './dto/views.dto';
import { cursorOf, searchItemView } from './mappers';
import { Ctx } from './request-context';

@ApiTags('search')
@Controller('v1/search')
export class SearchHttpController {
  constructor(@Inject(SEARCH_BACKEND) private readonly search: SearchBackend) {}

  @Get('products')
  @ApiOkResponse({ type: SearchPage })
  @ApiProblems()
  async products(@Ctx() ctx: RequestContext, @Query() q: SearchQuery): Promise<SearchPage> {
    const res = await this.search.searchProducts(ctx, {
      query: q.q ?? '',
      categoryId: q.categoryId ?? '',
      currency: q.currency ?? '',
      pageSize: q.limit ?? 0,
      pageToken: q.cursor ?? '',
      ...(q.minPrice !== undefined ? { minPriceMinor: q.minPrice } : {}),
      ...(q.maxPrice !== undefined ? { maxPriceMinor: q.maxPrice } : {}),
    });
    return {
      items: res.hits.map(searchItemView),
      total: res.total,
      nextCursor: cursorOf(res.nextPageToken),
    };
  }
}
