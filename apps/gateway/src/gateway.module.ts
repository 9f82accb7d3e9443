import { DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { H2Channel } from '@emporia/platform';
import { PlatformModule, type Logger } from '@emporia/platform';
import {
  ACCESS_TOKEN_VERIFIER,
  ANALYTICS_BACKEND,
  type AnalyticsBackend,
  CATALOG_BACKEND,
  IDEMPOTENCY_STORE,
  MARKETING_BACKEND,
  NOTIFICATION_BACKEND,
  type NotificationBackend,
  ORDER_BACKEND,
  RATE_LIMIT_POLICIES,
  RATE_LIMIT_STORE,
  RISK_BACKEND,
  REVIEW_BACKEND,
  type ReviewBackend,
  SUPPORT_BACKEND,
  type SupportBackend,
  type IdempotencyStore,
  type MarketingBackend,
  type OrderBackend,
  type RateLimitPolicies,
  type RateLimitStore,
  type RiskBackend,
  SEARCH_BACKEND,
  USER_BACKEND,
  type AccessTokenVerifier,
  type CatalogBackend,
  type SearchBackend,
  TOKEN_REVOCATION_LIST,
  type TokenRevocationList,
  type UserBackend,
} from './application/ports';
import { AccountSecurityHttpController } from './interface/account-security.http-controller';
import { AdminHttpController } from './interface/admin.http-controller';
import { AnalyticsAdminHttpController } from './interface/analytics-admin.http-controller';
import { AnalyticsHttpController } from './interface/analytics.http-controller';
import {
  ExperimentsAdminHttpController,
  PricingAdminHttpController,
} from './interface/experiments-pricing-admin.http-controller';
import { MarketingRemindersHttpController } from './interface/marketing-reminders.http-controller';
import { SkuPricesHttpController } from './interface/sku-prices.http-controller';
import { AuthGuard, REVOCATION_SETTINGS } from './interface/auth.guard';
import { AuthHttpController } from './interface/auth.http-controller';
import {
  MePasskeysHttpController,
  PasskeyAuthHttpController,
} from './interface/passkeys.http-controller';
import { CategoriesHttpController } from './interface/categories.http-controller';
import { MarketingAdminHttpController } from './interface/marketing-admin.http-controller';
import { MarketingHttpController } from './interface/marketing.http-controller';
import { FLASH_GATE, FlashGate } from './interface/flash-gate';
import { MeHttpController } from './interface/me.http-controller';
import { OrdersHttpController } from './interface/orders.http-controller';
import { ProductsHttpController } from './interface/products.http-controller';
import { RiskAdminHttpController } from './interface/risk-admin.http-controller';
import {
  SearchAdminHttpController,
  SearchHttpController,
} from './interface/search.http-controller';
import { WarehousesHttpController } from './interface/warehouses.http-controller';
import {
  DEFAULT_STEP_UP_SETTINGS,
  STEP_UP_SETTINGS,
  StepUpGate,
  type StepUpSettings,
} from './interface/step-up';
import {
  AgentSupportHttpController,
  SupportAdminHttpController,
  SupportHttpController,
} from './interface/support.http-controller';
import {
  ProductReviewsHttpController,
  ReviewAdminHttpController,
  ReviewsHttpController,
} from './interface/reviews.http-controller';
import {
  MeNotificationsHttpController,
  NotificationAdminHttpController,
  NotificationsHttpController,
} from './interface/notifications.http-controller';
import {
  CatalogOperationsHttpController,
  ComplianceHttpController,
} from './interface/catalog-operations.http-controller';

export interface GatewayBackends {
  catalog: { api: CatalogBackend; client: H2Channel };
  search: { api: SearchBackend; client: H2Channel };
  user: { api: UserBackend; client: H2Channel };
  order: { api: OrderBackend; client: H2Channel };
  marketing: { api: MarketingBackend; client: H2Channel };
  /** Not a readiness check: the gateway stays ready while risk is down. */
  risk: { api: RiskBackend; client: H2Channel };
  /** Not a readiness check either: the shop works without analytics. */
  analytics: { api: AnalyticsBackend; client: H2Channel };
  /** Not readiness checks: tickets and reviews answer 503 while their service is down. */
  support: { api: SupportBackend; client: H2Channel };
  review: { api: ReviewBackend; client: H2Channel };
  /** Not a readiness check: its routes answer 503 while the notification service is down. */
  notification: { api: NotificationBackend; client: H2Channel };
  verifier: AccessTokenVerifier;
  /** The access-token revocation list and how long a request waits for it. */
  revocations: { list: TokenRevocationList; timeoutMs: number };
  idempotency: IdempotencyStore;
  rateLimits: { store: RateLimitStore; policies: RateLimitPolicies };
  /** Flash-sale marks and admission control (absent: off). */
  flashGate?: FlashGate;
  /** The step-up window of the routes the gateway guards itself (absent: 5 minutes). */
  stepUp?: StepUpSettings;
}

/** Every HTTP controller of the API (the OpenAPI contract is completed from their metadata). */
export const GATEWAY_CONTROLLERS = [
  CategoriesHttpController,
  ProductsHttpController,
  SearchHttpController,
  SearchAdminHttpController,
  AuthHttpController,
  MeHttpController,
  AccountSecurityHttpController,
  MePasskeysHttpController,
  PasskeyAuthHttpController,
  AdminHttpController,
  OrdersHttpController,
  WarehousesHttpController,
  MarketingAdminHttpController,
  MarketingHttpController,
  RiskAdminHttpController,
  SkuPricesHttpController,
  MarketingRemindersHttpController,
  AnalyticsHttpController,
  AnalyticsAdminHttpController,
  ExperimentsAdminHttpController,
  PricingAdminHttpController,
  SupportHttpController,
  AgentSupportHttpController,
  SupportAdminHttpController,
  ReviewsHttpController,
  ProductReviewsHttpController,
  ReviewAdminHttpController,
  MeNotificationsHttpController,
  NotificationsHttpController,
  NotificationAdminHttpController,
  CatalogOperationsHttpController,
  ComplianceHttpController,
];

/** The ports the controllers and guards use, bound to the backends. */
export function gatewayProviders(backends: GatewayBackends): Provider[] {
  return [
    { provide: CATALOG_BACKEND, useValue: backends.catalog.api },
    { provide: SEARCH_BACKEND, useValue: backends.search.api },
    { provide: USER_BACKEND, useValue: backends.user.api },
    { provide: ACCESS_TOKEN_VERIFIER, useValue: backends.verifier },
    { provide: TOKEN_REVOCATION_LIST, useValue: backends.revocations.list },
    { provide: REVOCATION_SETTINGS, useValue: { timeoutMs: backends.revocations.timeoutMs } },
    { provide: ORDER_BACKEND, useValue: backends.order.api },
    { provide: IDEMPOTENCY_STORE, useValue: backends.idempotency },
    { provide: MARKETING_BACKEND, useValue: backends.marketing.api },
    { provide: RISK_BACKEND, useValue: backends.risk.api },
    { provide: ANALYTICS_BACKEND, useValue: backends.analytics.api },
    { provide: SUPPORT_BACKEND, useValue: backends.support.api },
    { provide: REVIEW_BACKEND, useValue: backends.review.api },
    { provide: NOTIFICATION_BACKEND, useValue: backends.notification.api },
    { provide: RATE_LIMIT_STORE, useValue: backends.rateLimits.store },
    { provide: RATE_LIMIT_POLICIES, useValue: backends.rateLimits.policies },
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: FLASH_GATE, useValue: backends.flashGate ?? FlashGate.off() },
    { provide: STEP_UP_SETTINGS, useValue: backends.stepUp ?? DEFAULT_STEP_UP_SETTINGS },
    StepUpGate,
  ];
}

/** The gateway's API without a server (the OpenAPI contract test); the service kit runs it. */
@Module({})
export class GatewayModule {
  static forRoot(backends: GatewayBackends, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      // /healthz, /readyz and /metrics are served on GATEWAY_OPS_PORT, not on the public port
      imports: [PlatformModule.forRoot(logger, { opsRoutes: false })],
      controllers: GATEWAY_CONTROLLERS,
      providers: gatewayProviders(backends),
    };
  }
}
