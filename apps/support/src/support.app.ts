import { orderV1, SUPPORT_TICKET, userV1 } from '@emporia/contracts';
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
import { AgentDeskUseCase } from './application/agent-desk.use-case';
import { OrderAwareBot } from './application/first-line-bot';
import {
  CUSTOMER_ORDERS,
  FIRST_LINE_BOT,
  type CustomerOrders,
  type FirstLineBot,
} from './application/customer-orders.port';
import { CustomerTicketsUseCase } from './application/customer-tickets.use-case';
import { OperationsUseCase } from './application/operations.use-case';
import {
  CLOCK,
  CUSTOMERS,
  ID_GENERATOR,
  SUPPORT_SETTINGS,
  UNIT_OF_WORK,
  type Clock,
  type SupportSettings,
} from './application/ports';
import { SupportSweepUseCase } from './application/support-sweep.use-case';
import { supportConfigSchema, type SupportConfig } from './config';
import { GrpcMembership } from './infrastructure/grpc-membership';
import { GrpcCustomerOrders } from './infrastructure/grpc-customer-orders';
import { SUPPORT_MIGRATIONS } from './infrastructure/migrations';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { SupportGrpcController } from './interface/support.grpc-controller';

/**
 * What tests put in place of production parts: a clock they move (the sweep uses it too), a bot
 * and customer orders of their own. Production passes nothing.
 */
export interface SupportOverrides {
  clock?: Clock;
  bot?: FirstLineBot;
  orders?: CustomerOrders;
}

/**
 * Support: tickets, their conversations and SLA clocks, queues and agents, the first-line bot,
 * surveys and KPIs (own Postgres); asks order and user over gRPC; publishes `support.ticket`.
 */
export const supportService = (overrides: SupportOverrides = {}) =>
  defineService({
    name: 'support',
    config: supportConfigSchema,
    http: (c) => ({ host: c.BIND_HOST, port: c.SUPPORT_HTTP_PORT }),
    grpc: (c) => ({ service: 'support', host: c.BIND_HOST, port: c.SUPPORT_GRPC_PORT }),
    resources: (c) => ({
      postgres: postgresResource({
        url: c.SUPPORT_DATABASE_URL,
        migrations: SUPPORT_MIGRATIONS,
        poolSize: c.DB_POOL_SIZE,
        preparedStatements: c.DB_PREPARED_STATEMENTS,
        migrateOnStart: {
          enabled: c.SUPPORT_MIGRATE_ON_START,
          variable: 'SUPPORT_MIGRATE_ON_START',
        },
      }),
      kafka: kafkaResource({
        brokers: c.KAFKA_BROKERS,
        topicPrefix: c.KAFKA_TOPIC_PREFIX,
        topics: [SUPPORT_TICKET.name],
      }),
      // Without order the bot hands every question to a person; without user the priority is the
      // category's alone. Neither keeps support from being ready.
      order: grpcBackend<GrpcApi<orderV1.OrderServiceController>>('order', {
        url: c.ORDER_GRPC_URL,
        deadlineMs: c.GRPC_DEADLINE_MS,
        readiness: false,
      }),
      user: grpcBackend<GrpcApi<userV1.UserServiceController>>('user', {
        url: c.USER_GRPC_URL,
        deadlineMs: c.GRPC_DEADLINE_MS,
        readiness: false,
      }),
    }),
    assemble: ({ config, logger, resources: { postgres, kafka, order, user } }) => {
      const relay = new OutboxRelay(postgres, kafka.publisher, {
        logger,
        service: 'support',
        intervalMs: config.OUTBOX_POLL_MS,
      });
      const settings: SupportSettings = {
        autoAssign: config.SUPPORT_AUTO_ASSIGN,
        reopenDays: config.SUPPORT_REOPEN_DAYS,
        followUpDays: config.SUPPORT_FOLLOW_UP_DAYS,
        botIdleHours: config.SUPPORT_BOT_IDLE_HOURS,
        timeZone: config.SUPPORT_TIME_ZONE,
        sweepBatch: 200,
      };
      const clock = overrides.clock ?? systemClock;
      // The bot answers from the customer's real orders; templates and tickets read them too.
      const orders: CustomerOrders = overrides.orders ?? new GrpcCustomerOrders(order.api);
      const bot: FirstLineBot =
        overrides.bot ??
        new OrderAwareBot(orders, {
          returnWindowDays: config.SUPPORT_RETURN_WINDOW_DAYS,
          timeZone: config.SUPPORT_TIME_ZONE,
          clock,
          onFailure: (err) =>
            logger.warn({ err }, 'the bot handed a ticket over: order did not answer'),
        });
      return {
        controllers: [SupportGrpcController],
        providers: [
          {
            provide: UNIT_OF_WORK,
            useValue: new TypeormUnitOfWork(postgres, kafka.topic(SUPPORT_TICKET.name), () =>
              relay.nudge(),
            ),
          },
          { provide: CUSTOMERS, useValue: new GrpcMembership(user.api, logger) },
          { provide: CUSTOMER_ORDERS, useValue: orders },
          { provide: FIRST_LINE_BOT, useValue: bot },
          { provide: SUPPORT_SETTINGS, useValue: settings },
          { provide: CLOCK, useValue: clock },
          { provide: ID_GENERATOR, useValue: uuidV7Generator },
          CustomerTicketsUseCase,
          AgentDeskUseCase,
          OperationsUseCase,
          SupportSweepUseCase,
        ],
        workers: [relay],
        // SLA breaches and escalation, low satisfaction, follow-ups, closing, idle bot tickets
        sweeps: (get) =>
          sweepsEvery(config.SUPPORT_SWEEP_INTERVAL_MS, {
            'sla-and-follow-up': (ctx) => get(SupportSweepUseCase).run(ctx),
          }),
      };
    },
  });

/** Starts support in this process (tests; `main.ts` runs `runService`). */
export function startSupport(
  config: SupportConfig,
  logger: Logger,
  overrides: SupportOverrides = {},
): Promise<RunningService> {
  return launchService(supportService(overrides), config, logger);
}
