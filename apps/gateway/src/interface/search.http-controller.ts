import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { RequestContext } from '@emporia/platform';
import { SEARCH_BACKEND, type SearchBackend } from '../application/ports';
import { ApiProblems } from './api-problems';
import { Auth } from './auth.guard';
import {
  PutSynonymSetDto,
  ReindexView,
  SearchPage,
  SearchQuery,
  SuggestionList,
  SuggestQuery,
  SynonymSetList,
  SynonymSetView,
  TopQueriesQuery,
  TopQueriesView,
} from './dto/search.dto';
import { Ctx } from './request-context';
import { searchPageView } from './search-products.fast-route';
import { reindexView, searchRequest, SUGGESTION_KIND, synonymSetView } from './search-mappers';
import { uuidParam } from './uuid-param';
import { patternParam } from './path-params';

/** Synonym set ids, as the search service accepts them. */
const synonymSetId = patternParam(
  'id',
  /^[a-z0-9_-]{1,64}$/,
  "1-64 lower-case letters, digits, '-' or '_'",
);

@ApiTags('search')
@Controller('v1/search')
/** `GET products` is also answered by the fast route (search-products.fast-route.ts). */
export class SearchHttpController {
  constructor(@Inject(SEARCH_BACKEND) private readonly search: SearchBackend) {}

  @Get('products')
  @ApiOkResponse({ type: SearchPage })
  @ApiProblems()
  async products(@Ctx() ctx: RequestContext, @Query() q: SearchQuery): Promise<SearchPage> {
    return searchPageView(await this.search.searchProducts(ctx, searchRequest(q)));
  }

  @Get('suggestions')
  @ApiOkResponse({ type: SuggestionList })
  @ApiProblems()
  async suggestions(@Ctx() ctx: RequestContext, @Query() q: SuggestQuery): Promise<SuggestionList> {
    const res = await this.search.suggest(ctx, { prefix: q.q, limit: q.limit ?? 0 });
    return {
      items: res.suggestions.map((s) => ({
        text: s.text,
        kind: SUGGESTION_KIND[s.kind] ?? 'product',
      })),
    };
  }
}

/** Operators' search: synonyms as data, keyword mining from the search log, reindexing. */
@ApiTags('search admin')
@Auth('operator')
@Controller('v1/admin/search')
export class SearchAdminHttpController {
  constructor(@Inject(SEARCH_BACKEND) private readonly search: SearchBackend) {}

  @Get('synonyms')
  @ApiOkResponse({ type: SynonymSetList })
  @ApiProblems()
  async listSynonyms(@Ctx() ctx: RequestContext): Promise<SynonymSetList> {
    const res = await this.search.listSynonymSets(ctx, {});
    return { items: res.sets.map(synonymSetView) };
  }

  @Put('synonyms/:id')
  @ApiOkResponse({ type: SynonymSetView, description: 'created or replaced' })
  @ApiProblems()
  async putSynonyms(
    @Ctx() ctx: RequestContext,
    @Param('id', synonymSetId) id: string,
    @Body() body: PutSynonymSetDto,
  ): Promise<SynonymSetView> {
    const res = await this.search.putSynonymSet(ctx, {
      set: { id, terms: body.terms, updatedAt: '' },
    });
    return synonymSetView(res.set!);
  }

  @Delete('synonyms/:id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiProblems(404)
  async deleteSynonyms(
    @Ctx() ctx: RequestContext,
    @Param('id', synonymSetId) id: string,
  ): Promise<void> {
    await this.search.deleteSynonymSet(ctx, { id });
  }

  @Get('queries')
  @ApiOkResponse({ type: TopQueriesView, description: 'most frequent (or zero-result) queries' })
  @ApiProblems()
  async topQueries(
    @Ctx() ctx: RequestContext,
    @Query() q: TopQueriesQuery,
  ): Promise<TopQueriesView> {
    const res = await this.search.listTopQueries(ctx, {
      since: q.since ?? '',
      until: q.until ?? '',
      zeroResultsOnly: q.zeroResults === 'true',
      limit: q.limit ?? 0,
    });
    return { items: res.queries, totalSearches: res.totalSearches };
  }

  @Post('reindex')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: ReindexView, description: 'started; poll its state' })
  @ApiProblems(422)
  async startReindex(@Ctx() ctx: RequestContext): Promise<ReindexView> {
    return reindexView((await this.search.startReindex(ctx, {})).reindex!);
  }

  @Get('reindex')
  @ApiOkResponse({ type: ReindexView, description: 'the latest reindex' })
  @ApiProblems(404)
  async latestReindex(@Ctx() ctx: RequestContext): Promise<ReindexView> {
    return reindexView((await this.search.getReindex(ctx, { id: '' })).reindex!);
  }

  @Get('reindex/:id')
  @ApiOkResponse({ type: ReindexView })
  @ApiProblems(404)
  async getReindex(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam) id: string,
  ): Promise<ReindexView> {
    return reindexView((await this.search.getReindex(ctx, { id })).reindex!);
  }
}
