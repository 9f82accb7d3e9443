import {
  ANALYTICS_AUDIENCE,
  ANALYTICS_CART,
  MARKETING_COUPON,
  MARKETING_FLASH_SALE,
  MARKETING_GROUP_BUY,
  ORDER_ORDER,
  USER_ACCOUNT,
} from '@emporia/contracts';
import { kafkaResource, OutboxRelay } from '@emporia/messaging';
import {
  defineService,
  launchService,
  postgresResource,
  redisResource,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { AdminUseCase } from './application/admin.use-case';
import { AudiencesUseCase } from './application/audiences.use-case';
import { CouponExpiryUseCase } from './application/coupon-expiry.use-case';
import { CouponsUseCase } from './application/coupons.use-case';
import { FlashSalesUseCase } from './application/flash-sales.use-case';
import { GroupBuyUseCase } from './application/group-buy.use-case';
import { OrderEventsUseCase } from './application/order-events.use-case';
import { PricingUseCase } from './application/pricing.use-case';
import {
  CLOCK,
  COUPON_EXPIRY_SETTINGS,
  type CouponExpirySettings,
  FLASH_SETTINGS,
  FLASH_STORE,
  ID_GENERATOR,
  RANDOM,
  UNIT_OF_WORK,
} from './application/ports';
import { marketingConfigSchema, type MarketingConfig } from './config';
import { MARKETING_MIGRATIONS } from './infrastructure/migrations';
import { RedisFlashSaleStore } from './infrastructure/redis-flash-sale.store';
import {
  nodeRandom,
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { analyticsEventsHandler } from './interface/analytics-events.consumer';
import { marketingEventsHandler } from './interface/events.consumer';
import { flashRawHandlers } from './interface/flash-attempts.raw-handlers';
import { FlashStockGauges } from './interface/flash-stock.gauges';
import { MarketingGrpcController } from './interface/marketing.grpc-controller';

/** Marketing consumes order events (coupons, flash purchases, group seats) and tier changes. */
const CONSUMED_TOPICS = [ORDER_ORDER.name, USER_ACCOUNT.name];
/** Analytics' audiences and abandoned carts: coupons handed out (their own consumer). */
const ANALYTICS_TOPICS = [ANALYTICS_AUDIENCE.name, ANALYTICS_CART.name];
const GROUP_BUY_TOPIC = MARKETING_GROUP_BUY.name;
const FLASH_SALE_TOPIC = MARKETING_FLASH_SALE.name;
const COUPON_TOPIC = MARKETING_COUPON.name;
/** Coupons noticed per sweep run at most; the rest wait for the next run. */
const COUPON_EXPIRY_BATCH = 500;
/** Consumed events are gathered this long per fetch (`gatherMs`). */
const EVENT_GATHER_MS = 500;

/** Marketing: prices, coupons, flash sales (pools in Redis) and group buys. */
export const marketingService = defineService({
  name: 'marketing',
  config: marketingConfigSchema,
  http: (c) => ({ host: c.BIND_HOST, port: c.MARKETING_HTTP_PORT }),
  grpc: (c) => ({ service: 'marketing', host: c.BIND_HOST, port: c.MARKETING_GRPC_PORT }),
  resources: (c) => ({
    postgres: postgresResource({
      url: c.MARKETING_DATABASE_URL,
      migrations: MARKETING_MIGRATIONS,
      poolSize: c.DB_POOL_SIZE,
      preparedStatements: c.DB_PREPARED_STATEMENTS,
      migrateOnStart: {
        enabled: c.MARKETING_MIGRATE_ON_START,
        variable: 'MARKETING_MIGRATE_ON_START',
      },
    }),
    redis: redisResource(c.REDIS_URL),
    kafka: kafkaResource({
      brokers: c.KAFKA_BROKERS,
      topicPrefix: c.KAFKA_TOPIC_PREFIX,
      topics: [
        GROUP_BUY_TOPIC,
        FLASH_SALE_TOPIC,
        COUPON_TOPIC,
        ...CONSUMED_TOPICS,
        ...ANALYTICS_TOPICS,
      ],
      consumerGroup: c.MARKETING_CONSUMER_GROUP,
    }),
  }),
  assemble: ({ config, logger, resources: { postgres, redis, kafka } }) => {
    const relay = new OutboxRelay(postgres, kafka.publisher, {
      logger,
      service: 'marketing',
      intervalMs: config.OUTBOX_POLL_MS,
    });
    const topics = {
      groupBuy: kafka.topic(GROUP_BUY_TOPIC),
      flashSale: kafka.topic(FLASH_SALE_TOPIC),
      coupon: kafka.topic(COUPON_TOPIC),
    };
    const everyMs = config.MARKETING_SWEEP_INTERVAL_MS;
    const stockGauges = new FlashStockGauges(logger);
    return {
      controllers: [MarketingGrpcController],
      providers: [
        {
          provide: UNIT_OF_WORK,
          useValue: new TypeormUnitOfWork(postgres, topics, () => relay.nudge()),
        },
        { provide: CLOCK, useValue: systemClock },
        { provide: ID_GENERATOR, useValue: uuidV7Generator },
        { provide: RANDOM, useValue: nodeRandom },
        {
          provide: FLASH_STORE,
          useValue: new RedisFlashSaleStore(
            redis,
            config.REDIS_KEY_PREFIX,
            config.FLASH_RESTOCK_CHANNEL,
            config.FLASH_TOKEN_TTL_SECONDS * 1000,
          ),
        },
        {
          provide: FLASH_SETTINGS,
          useValue: {
            tokenTtlMs: config.FLASH_TOKEN_TTL_SECONDS * 1000,
            reconcileEveryMs: config.FLASH_RECONCILE_INTERVAL_MS,
          },
        },
        {
          provide: COUPON_EXPIRY_SETTINGS,
          useValue: {
            noticeHours: config.MARKETING_COUPON_EXPIRY_NOTICE_HOURS,
            batchSize: COUPON_EXPIRY_BATCH,
          } satisfies CouponExpirySettings,
        },
        PricingUseCase,
        AdminUseCase,
        CouponsUseCase,
        FlashSalesUseCase,
        GroupBuyUseCase,
        OrderEventsUseCase,
        AudiencesUseCase,
        CouponExpiryUseCase,
      ],
      // the flash-sale attempts past Nest's pipeline (same answers, errors, trace, logs)
      rawGrpc: (get) => flashRawHandlers(get(FlashSalesUseCase), logger),
      workers: [relay, stockGauges],
      ready: async (get) => stockGauges.attach(get(FlashSalesUseCase)),
      sweeps: (get) => [
        { name: 'flash-sale', everyMs, run: (ctx) => get(FlashSalesUseCase).sweep(ctx) },
        { name: 'group-deadline', everyMs, run: (ctx) => get(GroupBuyUseCase).expireDue(ctx) },
        { name: 'coupon-expiry', everyMs, run: (ctx) => get(CouponExpiryUseCase).sweep(ctx) },
      ],
      consumers: (get) => {
        // one consumer (one group member) for every topic: each handler skips the other's types
        const orders = marketingEventsHandler(get(OrderEventsUseCase));
        const analytics = analyticsEventsHandler(get(AudiencesUseCase));
        return [
          kafka.consumer({
            topics: [...CONSUMED_TOPICS, ...ANALYTICS_TOPICS],
            // redemptions and audiences may come this much later: one fetch and one commit per batch
            gatherMs: EVENT_GATHER_MS,
            handler: async (event) => {
              await orders(event);
              await analytics(event);
            },
          }),
        ];
      },
    };
  },
});

/** Starts marketing in this process (tests; `main.ts` runs `runService`). */
export function startMarketing(config: MarketingConfig, logger: Logger): Promise<RunningService> {
  return launchService(marketingService, config, logger);
}
