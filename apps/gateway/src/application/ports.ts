import type { Observable } from 'rxjs';
import type { catalogV1, searchV1 } from '@emporia/contracts';
import type { RequestContext } from '@emporia/platform';

type Unwrap<T> = T extends Observable<infer U> ? U : T extends Promise<infer U> ? U : T;

/** A backend's unary methods as `(ctx, request) => Promise<response>`, derived from the contract. */
export type Backend<Service> = {
  [K in keyof Service]: Service[K] extends (req: infer Q, ...rest: never[]) => infer R
    ? (ctx: RequestContext, req: Q) => Promise<Unwrap<R>>
    : never;
};

export type CatalogBackend = Backend<catalogV1.CatalogServiceController>;
export type SearchBackend = Backend<searchV1.SearchServiceController>;

export const CATALOG_BACKEND = Symbol('CATALOG_BACKEND');
export const SEARCH_BACKEND = Symbol('SEARCH_BACKEND');
