import { MARKETING_GROUP_BUY, ORDER_CART, ORDER_ORDER } from '@emporia/contracts';
import { prepareAddressCheck } from '@emporia/domain';
import type { catalogV1, marketingV1, riskV1, userV1 } from '@emporia/contracts';
import { kafkaResource, OutboxRelay } from '@emporia/messaging';
import {
  defineService,
  grpcBackend,
  launchService,
  postgresResource,
  sweepsEvery,
  type GrpcApi,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { CartUseCase } from './application/cart.use-case';
import { CheckoutAttemptsUseCase } from './application/checkout-attempts.use-case';
import { CheckoutUseCase } from './application/checkout.use-case';
import { GroupBuyUseCase } from './application/group-buy.use-case';
import { ImportOrdersUseCase } from './application/import-orders.use-case';
import { OrderLifecycleUseCase } from './application/order-lifecycle.use-case';
import { PaymentUseCase } from './application/payment.use-case';
import {
  ACCOUNTS,
  CARRIER_WEBHOOKS,
  CART_SETTINGS,
  CATALOG,
  CHECKOUT_SETTINGS,
  CLOCK,
  ID_GENERATOR,
  MARKETPLACES,
  PAYMENT_PROVIDERS,
  PRICING,
  RISK,
  ROUTING,
  SAGA_FAULTS,
  UNIT_OF_WORK,
  type PaymentProvider,
  type SagaFaults,
} from './application/ports';
import { ReturnsUseCase } from './application/returns.use-case';
import { ShipmentsUseCase } from './application/shipments.use-case';
import { orderConfigSchema, type OrderConfig } from './config';
import { genericJsonAdapter } from './domain/imported-order';
import { defaultRoutingStrategy } from './domain/routing';
import { GrpcCatalogAdapter } from './infrastructure/grpc-catalog.adapter';
import { HmacWebhookVerifier } from './infrastructure/hmac-webhook.verifier';
import { ORDER_MIGRATIONS } from './infrastructure/migrations';
import { ListPricePricing, MarketingPricing } from './infrastructure/pricing.adapters';
import { GrpcRisk, UnscoredRisk } from './infrastructure/risk.adapters';
import { GrpcAccounts, NoAccounts } from './infrastructure/user.adapters';
import { SandboxPaymentProvider } from './infrastructure/sandbox-payment.provider';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { groupBuyEventsHandler } from './interface/group-buy-events.consumer';
import { OrderGrpcController } from './interface/order.grpc-controller';

const noFaults: SagaFaults = { after: () => undefined };

/**
 * How long the outbox relay waits after a commit's nudge before its pass (libs/messaging: 5 ms by
 * default), so the commits of that many milliseconds share one pass (lock, read, produce, mark).
 * Order's events are cart changes, placed, paid and fulfilment events, whose consumers (user,
 * marketing, analytics) gather 500 ms per fetch anyway: 25 ms more latency costs them nothing,
 * and under load a pass serves several requests' commits instead of about one each.
 */
export const ORDER_RELAY_LINGER_MS = 25;

/**
 * Order: carts, checkout (a saga over catalog, marketing's prices and risk), payments,
 * shipments, returns, group orders (marketing's outcomes). `faults`: tests inject failures
 * after saga steps; production passes nothing.
 */
export const orderService = ({ faults = noFaults }: { faults?: SagaFaults } = {}) =>
  defineService({
    name: 'order',
    config: orderConfigSchema,
    http: (c) => ({ host: c.BIND_HOST, port: c.ORDER_HTTP_PORT }),
    grpc: (c) => ({ service: 'order', host: c.BIND_HOST, port: c.ORDER_GRPC_PORT }),
    resources: (c) => ({
      postgres: postgresResource({
        url: c.ORDER_DATABASE_URL,
        migrations: ORDER_MIGRATIONS,
        poolSize: c.DB_POOL_SIZE,
        preparedStatements: c.DB_PREPARED_STATEMENTS,
        migrateOnStart: { enabled: c.ORDER_MIGRATE_ON_START, variable: 'ORDER_MIGRATE_ON_START' },
      }),
      kafka: kafkaResource({
        brokers: c.KAFKA_BROKERS,
        topicPrefix: c.KAFKA_TOPIC_PREFIX,
        topics: [ORDER_ORDER.name, ORDER_CART.name, MARKETING_GROUP_BUY.name],
        consumerGroup: c.ORDER_CONSUMER_GROUP,
      }),
      catalog: grpcBackend<GrpcApi<catalogV1.CatalogServiceController>>('catalog', {
        url: c.CATALOG_GRPC_URL,
        deadlineMs: c.GRPC_DEADLINE_MS,
        readiness: true,
      }),
      marketing: c.MARKETING_GRPC_URL
        ? grpcBackend<GrpcApi<marketingV1.MarketingServiceController>>('marketing', {
            url: c.MARKETING_GRPC_URL,
            deadlineMs: c.GRPC_DEADLINE_MS,
            readiness: false,
          })
        : undefined,
      risk: c.RISK_GRPC_URL
        ? grpcBackend<GrpcApi<riskV1.RiskServiceController>>('risk', {
            url: c.RISK_GRPC_URL,
            deadlineMs: c.RISK_DEADLINE_MS,
            readiness: false,
          })
        : undefined,
      // checkout refuses frozen accounts and reads address-book entries there
      user: c.USER_GRPC_URL
        ? grpcBackend<GrpcApi<userV1.UserServiceController>>('user', {
            url: c.USER_GRPC_URL,
            deadlineMs: c.GRPC_DEADLINE_MS,
            readiness: false,
          })
        : undefined,
    }),
    assemble: ({
      config,
      logger,
      resources: { postgres, kafka, catalog, marketing, risk, user },
    }) => {
      // the address tables built before serving, not on the first checkout (see prepareAddressCheck)
      prepareAddressCheck();
      if (!user) logger.warn('USER_GRPC_URL is empty: accounts are not checked at checkout');
      // the sandbox exists only when enabled (never with NODE_ENV=production: config refuses it)
      const providers = new Map<string, PaymentProvider>();
      if (config.PAYMENT_SANDBOX_ENABLED) {
        const sandbox = new SandboxPaymentProvider(
          config.PAYMENT_SANDBOX_SECRET,
          config.PAYMENT_SANDBOX_BASE_URL,
          logger,
        );
        providers.set(sandbox.name, sandbox);
        logger.warn('the sandbox payment provider is enabled: for development and tests only');
      }
      if (!config.CARRIER_WEBHOOK_SECRET)
        logger.info('carrier tracking webhooks are off (no CARRIER_WEBHOOK_SECRET)');
      const relay = new OutboxRelay(postgres, kafka.publisher, {
        logger,
        service: 'order',
        intervalMs: config.OUTBOX_POLL_MS,
        lingerMs: ORDER_RELAY_LINGER_MS,
      });
      const unitOfWork = new TypeormUnitOfWork(
        postgres,
        kafka.topic(ORDER_ORDER.name),
        kafka.topic(ORDER_CART.name),
        () => relay.nudge(),
      );
      const s = 1000;
      // checkout's account reads; risk is sent the creation time they saw
      const accounts = user ? new GrpcAccounts(user.api) : undefined;
      return {
        controllers: [OrderGrpcController],
        providers: [
          { provide: UNIT_OF_WORK, useValue: unitOfWork },
          {
            provide: CATALOG,
            useValue: new GrpcCatalogAdapter(catalog.api, {
              warehousesTtlMs: config.CATALOG_WAREHOUSES_CACHE_MS,
            }),
          },
          {
            provide: PRICING,
            useValue: marketing ? new MarketingPricing(marketing.api) : new ListPricePricing(),
          },
          {
            provide: RISK,
            useValue: risk
              ? new GrpcRisk(risk.api.scoreOrder, logger, (id) => accounts?.createdAt(id) ?? null)
              : new UnscoredRisk(),
          },
          { provide: ACCOUNTS, useValue: accounts ?? new NoAccounts() },
          { provide: PAYMENT_PROVIDERS, useValue: providers },
          {
            provide: CARRIER_WEBHOOKS,
            useValue: {
              verifier: config.CARRIER_WEBHOOK_SECRET
                ? new HmacWebhookVerifier(config.CARRIER_WEBHOOK_SECRET)
                : undefined,
              maxAgeSeconds: config.CARRIER_WEBHOOK_MAX_AGE_SECONDS,
            },
          },
          { provide: ROUTING, useValue: defaultRoutingStrategy },
          {
            provide: MARKETPLACES,
            useValue: new Map([[genericJsonAdapter.source, genericJsonAdapter]]),
          },
          {
            provide: CHECKOUT_SETTINGS,
            useValue: {
              paymentTtlMs: config.PAYMENT_TTL_SECONDS * s,
              reviewTtlMs: config.REVIEW_TTL_SECONDS * s,
              checkoutLeaseMs: config.CHECKOUT_LEASE_SECONDS * s,
              checkoutAbandonAfterMs: config.CHECKOUT_ABANDON_AFTER_SECONDS * s,
              stepUp: {
                minTotalMinor: config.ORDER_STEP_UP_MIN_TOTAL,
                newAddressMs: config.ORDER_STEP_UP_NEW_ADDRESS_MINUTES * 60 * s,
                windowMs: config.ORDER_STEP_UP_WINDOW_MINUTES * 60 * s,
              },
            },
          },
          {
            provide: CART_SETTINGS,
            useValue: {
              guestCartTtlMs: config.GUEST_CART_TTL_SECONDS * s,
              guestTokenUnusedTtlMs: config.GUEST_TOKEN_UNUSED_TTL_SECONDS * s,
            },
          },
          { provide: SAGA_FAULTS, useValue: faults },
          { provide: CLOCK, useValue: systemClock },
          { provide: ID_GENERATOR, useValue: uuidV7Generator },
          CartUseCase,
          CheckoutUseCase,
          CheckoutAttemptsUseCase,
          OrderLifecycleUseCase,
          PaymentUseCase,
          ShipmentsUseCase,
          ReturnsUseCase,
          ImportOrdersUseCase,
          GroupBuyUseCase,
        ],
        workers: [relay],
        // bounded batches: unpaid orders past their deadline, checkouts interrupted mid-saga,
        // reservation commits/releases that did not reach the catalog, shipments to plan,
        // returns to finish, refunds of failed groups, expired guest tokens and carts
        sweeps: (get) =>
          sweepsEvery(config.ORDER_SWEEP_INTERVAL_MS, {
            'payment-deadline': (ctx) => get(OrderLifecycleUseCase).expireOverdue(ctx),
            'interrupted-checkout': (ctx) => get(CheckoutAttemptsUseCase).sweepStale(ctx),
            'reservation-sync': (ctx) => get(OrderLifecycleUseCase).syncReservations(ctx),
            'shipment-planning': (ctx) => get(ShipmentsUseCase).planPending(ctx),
            'return-completion': (ctx) => get(ReturnsUseCase).finishPending(ctx),
            'group-buy-refund': (ctx) => get(GroupBuyUseCase).finishPending(ctx),
            'guest-cart-expiry': (ctx) => get(CartUseCase).expireGuestCarts(ctx),
          }),
        // marketing's group-buy outcomes confirm, cancel or refund group orders
        consumers: (get) => [
          kafka.consumer({
            topics: [MARKETING_GROUP_BUY.name],
            handler: groupBuyEventsHandler(get(GroupBuyUseCase), logger),
          }),
        ],
      };
    },
  });

/** Starts the order service in this process (tests; `main.ts` runs `runService`). */
export function startOrder(
  config: OrderConfig,
  logger: Logger,
  overrides: { faults?: SagaFaults } = {},
): Promise<RunningService> {
  return launchService(orderService(overrides), config, logger);
}
