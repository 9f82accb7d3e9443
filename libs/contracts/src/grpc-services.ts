import { join } from 'node:path';

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
  analytics: 'emporia/analytics/v1/analytics_service.proto',
  support: 'emporia/support/v1/support_service.proto',
  review: 'emporia/review/v1/review_service.proto',
  notification: 'emporia/notification/v1/notification_service.proto',
} as const;

/** gRPC package names of the services. */
export const GRPC_PACKAGES = {
  catalog: 'emporia.catalog.v1',
  search: 'emporia.search.v1',
  user: 'emporia.user.v1',
  order: 'emporia.order.v1',
  marketing: 'emporia.marketing.v1',
  risk: 'emporia.risk.v1',
  analytics: 'emporia.analytics.v1',
  support: 'emporia.support.v1',
  review: 'emporia.review.v1',
  notification: 'emporia.notification.v1',
} as const;

/** A service of the platform with a gRPC API. */
export type ServiceName = keyof typeof PROTO_FILES;

const SERVICE_NAMES: Record<ServiceName, string> = {
  catalog: 'CatalogService',
  search: 'SearchService',
  user: 'UserService',
  order: 'OrderService',
  marketing: 'MarketingService',
  risk: 'RiskService',
  analytics: 'AnalyticsService',
  support: 'SupportService',
  review: 'ReviewService',
  notification: 'NotificationService',
};

/**
 * Where a client finds a service's gRPC definition: its proto file, the include directory and
 * the fully qualified service name (`emporia.catalog.v1.CatalogService`).
 */
export function grpcService(name: ServiceName): {
  includeDirs: string[];
  protoFile: string;
  service: string;
} {
  return {
    includeDirs: [PROTO_ROOT],
    protoFile: PROTO_FILES[name],
    service: `${GRPC_PACKAGES[name]}.${SERVICE_NAMES[name]}`,
  };
}
