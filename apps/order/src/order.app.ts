import {
  GRPC_PACKAGES,
  MARKETING_GROUP_BUY,
  PROTO_FILES,
  PROTO_ROOT,
  type catalogV1,
  type marketingV1,
  type riskV1,
} from '@emporia/contracts';
import {
  createKafka,
  ensureTopics,
  KafkaEventConsumer,
  KafkaPublisher,
  OutboxRelay,
  pingKafka,
  readinessProbe,
  startConsumerFor,
  topicName,
} from '@emporia/messaging';
import { createDataSource, migrateDatabase, openMigrated } from '@emporia/persistence';
import {
  grpcClient,
  HealthRegistry,
  startService,
  type GrpcApi,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { GroupBuyUseCase } from './application/group-buy.use-case';
import type { PaymentProvider, SagaFaults } from './application/ports';
import type { OrderConfig } from './config';
import { GrpcCatalogAdapter } from './infrastructure/grpc-catalog.adapter';
import { HmacWebhookVerifier } from './infrastructure/hmac-webhook.verifier';
import { ORDER_MIGRATIONS } from './infrastructure/migrations';
import { ListPricePricing, MarketingPricing } from './infrastructure/pricing.adapters';
import { GrpcRisk, UnscoredRisk } from './infrastructure/risk.adapters';
import { SandboxPaymentProvider } from './infrastructure/sandbox-payment.provider';
import { groupBuyEventsHandler } from './interface/group-buy-events.consumer';
import { ORDER_TOPICS, OrderModule, type OrderInfrastructure } from './order.module';

/** Marketing's group-buy outcomes, keyed by group id. */
const GROUP_BUY_TOPIC = MARKETING_GROUP_BUY.name;

const orderDataSource = (config: Pick<OrderConfig, 'ORDER_DATABASE_URL' | 'DB_POOL_SIZE'>) =>
  createDataSource({
    url: config.ORDER_DATABASE_URL,
    entities: [],
    migrations: ORDER_MIGRATIONS,
    poolSize: config.DB_POOL_SIZE,
    applicationName: 'emporia-order',
  });

export async function migrateOrder(
  config: Pick<OrderConfig, 'ORDER_DATABASE_URL' | 'DB_POOL_SIZE'>,
  logger: Logger,
): Promise<string[]> {
  return migrateDatabase(config.ORDER_DATABASE_URL, orderDataSource(config), logger, 'order');
}

/**
 * Starts the order service: database, gRPC clients of catalog (and marketing and risk when
 * configured), the payment providers (the sandbox when enabled), the outbox relay, the sweeps and the consumer of
 * marketing's group-buy outcomes.
 */
export async function startOrder(
  config: OrderConfig,
  logger: Logger,
  overrides: { faults?: SagaFaults } = {},
): Promise<RunningService> {
  if (config.ORDER_MIGRATE_ON_START) await migrateOrder(config, logger);
  const dataSource = await openMigrated(orderDataSource(config), 'order', 'ORDER_MIGRATE_ON_START');
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'order', logger });
  const publisher = new KafkaPublisher(kafka);
  const client = <T extends object>(
    name: string,
    file: string,
    service: string,
    url: string,
    deadlineMs: number,
  ) =>
    grpcClient<T>({ name, protoFile: file, includeDirs: [PROTO_ROOT], service, url, deadlineMs });
  const catalog = client<GrpcApi<catalogV1.CatalogServiceController>>(
    'catalog',
    PROTO_FILES.catalog,
    'emporia.catalog.v1.CatalogService',
    config.CATALOG_GRPC_URL,
    config.GRPC_DEADLINE_MS,
  );
  const marketing = config.MARKETING_GRPC_URL
    ? client<GrpcApi<marketingV1.MarketingServiceController>>(
        'marketing',
        PROTO_FILES.marketing,
        'emporia.marketing.v1.MarketingService',
        config.MARKETING_GRPC_URL,
        config.GRPC_DEADLINE_MS,
      )
    : undefined;
  const risk = config.RISK_GRPC_URL
    ? client<GrpcApi<riskV1.RiskServiceController>>(
        'risk',
        PROTO_FILES.risk,
        'emporia.risk.v1.RiskService',
        config.RISK_GRPC_URL,
        config.RISK_DEADLINE_MS,
      )
    : undefined;
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
  const closeClients = () => [catalog, marketing, risk].forEach((c) => c?.client.close());
  try {
    await ensureTopics(
      kafka,
      [...ORDER_TOPICS, GROUP_BUY_TOPIC].map((t) => topicName(config.KAFKA_TOPIC_PREFIX, t)),
    );
  } catch (e) {
    closeClients();
    await dataSource.destroy();
    throw e;
  }
  const infra: OrderInfrastructure = {
    dataSource,
    publisher,
    relay: new OutboxRelay(dataSource, publisher, {
      logger,
      service: 'order',
      intervalMs: config.OUTBOX_POLL_MS,
    }),
    catalog: new GrpcCatalogAdapter(catalog.api),
    catalogClient: catalog.client,
    pricing: marketing ? new MarketingPricing(marketing.api) : new ListPricePricing(),
    risk: risk ? new GrpcRisk(risk.api.scoreOrder, logger) : new UnscoredRisk(),
    providers,
    carrierWebhooks: {
      verifier: config.CARRIER_WEBHOOK_SECRET
        ? new HmacWebhookVerifier(config.CARRIER_WEBHOOK_SECRET)
        : undefined,
      maxAgeSeconds: config.CARRIER_WEBHOOK_MAX_AGE_SECONDS,
    },
    settings: {
      paymentTtlMs: config.PAYMENT_TTL_SECONDS * 1000,
      reviewTtlMs: config.REVIEW_TTL_SECONDS * 1000,
      checkoutLeaseMs: config.CHECKOUT_LEASE_SECONDS * 1000,
      checkoutAbandonAfterMs: config.CHECKOUT_ABANDON_AFTER_SECONDS * 1000,
    },
    cartSettings: {
      guestCartTtlMs: config.GUEST_CART_TTL_SECONDS * 1000,
      guestTokenUnusedTtlMs: config.GUEST_TOKEN_UNUSED_TTL_SECONDS * 1000,
    },
    sweepIntervalMs: config.ORDER_SWEEP_INTERVAL_MS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    pingKafka: () => pingKafka(kafka),
    faults: overrides.faults,
    closeClients,
  };
  const service = await startService({
    module: OrderModule.forRoot(infra, logger),
    logger,
    http: { host: config.BIND_HOST, port: config.ORDER_HTTP_PORT },
    grpc: {
      package: GRPC_PACKAGES.order,
      protoPath: PROTO_FILES.order,
      includeDirs: [PROTO_ROOT],
      host: config.BIND_HOST,
      port: config.ORDER_GRPC_PORT,
    },
  });
  // marketing's group-buy outcomes confirm, cancel or refund group orders
  const consumer = new KafkaEventConsumer(kafka, {
    groupId: config.ORDER_CONSUMER_GROUP,
    topics: [topicName(config.KAFKA_TOPIC_PREFIX, GROUP_BUY_TOPIC)],
    logger,
    // an unrecognised failure while a dependency is down is waited out, not dead-lettered
    probe: readinessProbe(service.app.get(HealthRegistry)),
    handler: groupBuyEventsHandler(service.app.get(GroupBuyUseCase), logger),
  });
  infra.consumer = consumer;
  return startConsumerFor(service, consumer);
}
