// Public entry of the contracts lib: code generated from proto/ (see tools/generate-contracts.sh).
// Everything under ./gen is generated; never edit it by hand.
import { join } from 'node:path';

export * as commonV1 from './gen/emporia/common/v1/money';
export * as catalogV1 from './catalog.v1';
export * as searchV1 from './gen/emporia/search/v1/search_service';
export * as userV1 from './user.v1';
export * as orderV1 from './order.v1';
export * as marketingV1 from './marketing.v1';
export * as riskV1 from './gen/emporia/risk/v1/risk_service';

/** Directory holding the .proto sources, for gRPC loaders (`includeDirs`). */
export const PROTO_ROOT = join(__dirname, '..', '..', '..', 'proto');

/** Paths of the service definitions, relative to PROTO_ROOT. */
export const PROTO_FILES = {
  catalog: 'emporia/catalog/v1/catalog_service.proto',
  search: 'emporia/search/v1/search_service.proto',
  user: 'emporia/user/v1/user_service.proto',
  order: 'emporia/order/v1/order_service.proto',
  marketing: 'emporia/marketing/v1/marketing_service.proto',
  risk: 'emporia/risk/v1/risk_service.proto',
} as const;

/** gRPC package names of the services. */
export const GRPC_PACKAGES = {
  catalog: 'emporia.catalog.v1',
  search: 'emporia.search.v1',
  user: 'emporia.user.v1',
  order: 'emporia.order.v1',
  marketing: 'emporia.marketing.v1',
  risk: 'emporia.risk.v1',
} as const;
