import type { catalogV1, searchV1, userV1 } from '@emporia/contracts';
import type { GrpcApi } from '@emporia/platform';

/** A backend's unary methods as `(ctx, request) => Promise<response>`, derived from the contract. */
export type Backend<Service> = GrpcApi<Service>;

export type CatalogBackend = Backend<catalogV1.CatalogServiceController>;
export type SearchBackend = Backend<searchV1.SearchServiceController>;
export type UserBackend = Backend<userV1.UserServiceController>;

export type Role = 'customer' | 'operator' | 'admin';

/** Who is calling, from a verified access token. */
export interface Principal {
  accountId: string;
  roles: Role[];
}

/** Verifies a bearer access token; throws ProblemError 401 when it is not acceptable. */
export interface AccessTokenVerifier {
  verify(token: string): Promise<Principal>;
}

export const CATALOG_BACKEND = Symbol('CATALOG_BACKEND');
export const SEARCH_BACKEND = Symbol('SEARCH_BACKEND');
export const USER_BACKEND = Symbol('USER_BACKEND');
export const ACCESS_TOKEN_VERIFIER = Symbol('ACCESS_TOKEN_VERIFIER');
