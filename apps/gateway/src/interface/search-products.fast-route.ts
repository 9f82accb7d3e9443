import { status } from '@grpc/grpc-js';
import type { searchV1 } from '@emporia/contracts';
import { RemoteCallError } from '@emporia/platform';
import type { SearchBackend } from '../application/ports';
import { PASS, type FastRoute } from './fast-route';
import { SEARCH_SORTS, type SearchPage, type SearchQuery } from './dto/search.dto';
import { cursorOf } from './mappers';
import type { SearchPageCache } from './search-page.cache';
import { facetsView, searchItemView, searchRequest } from './search-mappers';

/**
 * `GET /v1/search/products` on the fast-route kit: the same answer as the Nest route
 * (SearchHttpController.products) for every query SearchQuery accepts as it is, without Nest's
 * router and ValidationPipe. The query is checked here by `searchQueryOf` (the querystring
 * parser's strings, not a Fastify schema, whose Ajv would coerce and drop parameters before the
 * Nest route sees them); whatever it does not accept exactly (an unknown parameter, a bad value,
 * a repeated single parameter) is left to the Nest route, which answers its 400 problem as always.
 * The body is the search service's `SearchProductsPage`: the page already rendered as JSON (the
 * same values the Nest route maps from `SearchProducts`), sent on as it is; a search service
 * without that RPC (UNIMPLEMENTED: older than this gateway) leaves the request to the Nest route.
 * With `pages`, a page is answered again from this replica's copy for as long as the service
 * says (SearchPageCache: the same staleness bound, every search still logged).
 */
export function searchProductsRoute(search: SearchBackend, pages?: SearchPageCache): FastRoute {
  return {
    method: 'GET',
    url: '/v1/search/products',
    handle: async ({ req, ctx }) => {
      const q = searchQueryOf(req.query);
      if (!q) return PASS;
      // the page as the search service renders it (SearchProductsPage): a JSON string sent on,
      // answered again from this replica's copy for as long as the service allows
      const request = searchRequest(q);
      const ask = () => search.searchProductsPage(ctx, { search: request });
      try {
        return pages ? await pages.get(request, ask) : (await ask()).pageJson;
      } catch (e) {
        // a search service older than this gateway (a rolling deploy): SearchProducts, by Nest
        if (e instanceof RemoteCallError && e.remote.status === status.UNIMPLEMENTED) return PASS;
        throw e;
      }
    },
  };
}

/** The HTTP page of a search (both routes). */
export const searchPageView = (res: searchV1.SearchProductsResponse): SearchPage => ({
  items: res.hits.map(searchItemView),
  total: res.total,
  nextCursor: cursorOf(res.nextPageToken),
  ...(res.facets ? { facets: facetsView(res.facets) } : {}),
});

const UUID =
  /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[1-8][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;
const ATTR = /^[^:]{1,100}:.{1,100}$/;
const PRICE_EDGES = /^\d{1,12}(,\d{1,12}){0,19}$/;
const SORTS: ReadonlySet<string> = new Set(SEARCH_SORTS);

type Check = (v: string) => boolean;
/** A list parameter (string once, array when repeated) of at most `max` strings passing `each`. */
const list = (raw: unknown, max: number, each: Check): string[] | undefined => {
  const xs = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(xs) || xs.length > max) return undefined;
  for (const x of xs) if (typeof x !== 'string' || !each(x)) return undefined;
  return xs as string[];
};
/** UTF-16 length bounds: within them, the code-point length class-validator counts is too. */
const chars = (min: number, max: number) => (v: string) => v.length >= min && v.length <= max;
const bool = (v: string) => v === 'true' || v === 'false';

/**
 * The SearchQuery the ValidationPipe would make of `query`, or undefined when this is not sure
 * the pipe would take it as it is (the Nest route then answers). Accepts a subset of what the
 * DTO accepts (plain decimal numbers only), never more.
 */
export function searchQueryOf(query: unknown): SearchQuery | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const q: SearchQuery = {};
  for (const key in query) {
    if (!Object.prototype.hasOwnProperty.call(query, key)) continue;
    const v = (query as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const s = typeof v === 'string' ? v : undefined;
    switch (key) {
      case 'q':
        if (s === undefined || s.length > 200) return undefined;
        q.q = s;
        break;
      case 'cursor':
        if (s === undefined || s.length > 1000) return undefined;
        q.cursor = s;
        break;
      case 'limit': {
        if (s === undefined || !/^\d{1,3}$/.test(s)) return undefined;
        const n = Number(s);
        if (n < 1 || n > 100) return undefined;
        q.limit = n;
        break;
      }
      case 'categoryId':
        if (s === undefined || !UUID.test(s)) return undefined;
        q.categoryId = s;
        break;
      case 'minPrice':
      case 'maxPrice':
        if (s === undefined || !/^\d{1,15}$/.test(s)) return undefined;
        q[key] = Number(s);
        break;
      case 'currency':
        if (s === undefined || !/^[A-Z]{3}$/.test(s)) return undefined;
        q.currency = s;
        break;
      case 'brand': {
        const xs = list(v, 50, chars(0, 100));
        if (!xs) return undefined;
        q.brand = xs;
        break;
      }
      case 'tag': {
        const xs = list(v, 20, chars(1, 20));
        if (!xs) return undefined;
        q.tag = xs;
        break;
      }
      case 'attr': {
        const xs = list(v, 100, (x) => ATTR.test(x));
        if (!xs) return undefined;
        q.attr = xs;
        break;
      }
      case 'sort':
        if (s === undefined || !SORTS.has(s)) return undefined;
        q.sort = s as SearchQuery['sort'];
        break;
      case 'minRating': {
        if (s === undefined || !/^\d(\.\d{1,6})?$/.test(s)) return undefined;
        const n = Number(s);
        if (n < 1 || n > 5) return undefined;
        q.minRating = n;
        break;
      }
      case 'inStock':
      case 'facets':
        if (s === undefined || !bool(s)) return undefined;
        q[key] = s as 'true' | 'false';
        break;
      case 'priceEdges':
        if (s === undefined || !PRICE_EDGES.test(s)) return undefined;
        q.priceEdges = s;
        break;
      default:
        return undefined;
    }
  }
  return q;
}
