// Public entry of the contracts lib: code generated from proto/ (see tools/generate-contracts.sh).
// Everything under ./gen is generated; never edit it by hand.
export * as commonV1 from './gen/emporia/common/v1/money';
export * as catalogV1 from './catalog.v1';
export * as searchV1 from './gen/emporia/search/v1/search_service';
export * as userV1 from './user.v1';
export * as orderV1 from './order.v1';
export * as marketingV1 from './marketing.v1';
export * as riskV1 from './gen/emporia/risk/v1/risk_service';
export * as analyticsV1 from './analytics.v1';
export * as supportV1 from './support.v1';
export * as reviewV1 from './review.v1';
export * as notificationV1 from './notification.v1';

export { GRPC_PACKAGES, grpcService, PROTO_FILES, PROTO_ROOT } from './grpc-services';
export type { ServiceName } from './grpc-services';

export {
  ANALYTICS_AUDIENCE,
  ANALYTICS_BEHAVIOUR,
  ANALYTICS_CART,
  CATALOG_CATEGORY,
  CATALOG_PRODUCT,
  CATALOG_STOCK,
  EVENT_TOPICS,
  eventTypeNamed,
  MARKETING_COUPON,
  MARKETING_FLASH_SALE,
  MARKETING_GROUP_BUY,
  ORDER_CART,
  ORDER_ORDER,
  REVIEW_PRODUCT,
  REVIEW_REVIEW,
  SUPPORT_TICKET,
  USER_ACCOUNT,
  versionOf,
} from './events';
export type { EventMessage, EventTopic, EventType, PayloadOf } from './events';
