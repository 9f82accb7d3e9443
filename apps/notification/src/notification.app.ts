import type { userV1 } from '@emporia/contracts';
import { kafkaResource } from '@emporia/messaging';
import {
  defineService,
  grpcBackend,
  launchService,
  newContext,
  postgresResource,
  type GrpcApi,
  type Logger,
  type RunningService,
} from '@emporia/platform';
import { AccountSettingsUseCase } from './application/account-settings.use-case';
import { NotifyUseCase } from './application/notify.use-case';
import { OneTimeCodeUseCase } from './application/one-time-code.use-case';
import { OperationsUseCase } from './application/operations.use-case';
import {
  ACCOUNTS,
  CLOCK,
  EMAIL_SENDER,
  ID_GENERATOR,
  NOTIFICATION_SETTINGS,
  PUSH_PROVIDER,
  RANDOM,
  SANDBOX_INBOX,
  SMS_PROVIDER,
  UNIT_OF_WORK,
  type AccountDirectory,
  type Clock,
  type EmailSender,
  type NotificationSettings,
} from './application/ports';
import { SENDER_LOGGER, SendDeliveriesUseCase } from './application/send-deliveries.use-case';
import { notificationConfigSchema, type NotificationConfig } from './config';
import { GrpcAccountDirectory } from './infrastructure/grpc-account-directory';
import { NOTIFICATION_MIGRATIONS } from './infrastructure/migrations';
import {
  httpReceiptSink,
  SandboxProvider,
  type ReceiptSink,
} from './infrastructure/sandbox-providers';
import { SmtpEmailSender } from './infrastructure/smtp-email.sender';
import {
  systemClock,
  TypeormUnitOfWork,
  uuidV7Generator,
} from './infrastructure/typeorm-unit-of-work';
import { CONSUMED_TOPICS, notificationEventsHandler } from './interface/events.consumer';
import { NotificationGrpcController } from './interface/notification.grpc-controller';

/** What tests put in place of production parts: a clock they move, accounts, an e-mail sender. */
export interface NotificationOverrides {
  clock?: Clock;
  accounts?: AccountDirectory;
  email?: EmailSender;
  random?: () => number;
}

/**
 * Notification: consumes the events that reach people (orders, tickets, coupons, low stock),
 * decides recipients and channels from preferences and consents, renders templates, and sends
 * through e-mail (SMTP), SMS and push (provider ports; sandbox providers with signed receipts).
 */
export const notificationService = (overrides: NotificationOverrides = {}) =>
  defineService({
    name: 'notification',
    config: notificationConfigSchema,
    http: (c) => ({ host: c.BIND_HOST, port: c.NOTIFICATION_HTTP_PORT }),
    grpc: (c) => ({ service: 'notification', host: c.BIND_HOST, port: c.NOTIFICATION_GRPC_PORT }),
    resources: (c) => ({
      postgres: postgresResource({
        url: c.NOTIFICATION_DATABASE_URL,
        migrations: NOTIFICATION_MIGRATIONS,
        poolSize: c.DB_POOL_SIZE,
        preparedStatements: c.DB_PREPARED_STATEMENTS,
        migrateOnStart: {
          enabled: c.NOTIFICATION_MIGRATE_ON_START,
          variable: 'NOTIFICATION_MIGRATE_ON_START',
        },
      }),
      kafka: kafkaResource({
        brokers: c.KAFKA_BROKERS,
        topicPrefix: c.KAFKA_TOPIC_PREFIX,
        topics: CONSUMED_TOPICS,
        consumerGroup: c.NOTIFICATION_CONSUMER_GROUP,
      }),
      // Without user no recipient can be found: the consumer waits (retries the event) while the
      // rest of the service (preferences, the log, sending what is planned) keeps working.
      user: grpcBackend<GrpcApi<userV1.UserServiceController>>('user', {
        url: c.USER_GRPC_URL,
        deadlineMs: c.GRPC_DEADLINE_MS,
        readiness: false,
      }),
    }),
    assemble: ({ config, logger, resources: { postgres, kafka, user } }) => {
      const clock = overrides.clock ?? systemClock;
      const receiptSecrets: Record<string, string> = {};
      // receipts straight to RecordReceipt (no receipt URL): set once the use cases exist
      let ownReceipts: ReceiptSink | undefined;
      const sink: ReceiptSink = config.NOTIFICATION_SANDBOX_RECEIPT_URL
        ? httpReceiptSink(config.NOTIFICATION_SANDBOX_RECEIPT_URL)
        : (r, signature) =>
            ownReceipts
              ? ownReceipts(r, signature)
              : Promise.reject(new Error('the service is not started yet'));
      const sandbox = (name: 'sandbox-sms' | 'sandbox-push') => {
        receiptSecrets[name] = config.NOTIFICATION_SANDBOX_SECRET;
        return new SandboxProvider(name, {
          secret: config.NOTIFICATION_SANDBOX_SECRET,
          receiptDelayMs: config.NOTIFICATION_SANDBOX_RECEIPT_DELAY_MS,
          sink,
          logger,
          now: () => clock.now(),
        });
      };
      const sms = config.NOTIFICATION_SANDBOX_ENABLED ? sandbox('sandbox-sms') : null;
      const push = config.NOTIFICATION_SANDBOX_ENABLED ? sandbox('sandbox-push') : null;
      const smtp = overrides.email
        ? undefined
        : new SmtpEmailSender(config.SMTP_URL, config.SMTP_FROM, config.SMTP_TIMEOUT_MS);
      const settings: NotificationSettings = {
        maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
        retryBaseMs: config.NOTIFICATION_RETRY_BASE_MS,
        defaultTimeZone: config.NOTIFICATION_DEFAULT_TIME_ZONE,
        operatorEmails: config.NOTIFICATION_OPERATOR_EMAILS,
        publicBaseUrl: config.NOTIFICATION_PUBLIC_BASE_URL,
        unsubscribeSecret: config.NOTIFICATION_UNSUBSCRIBE_SECRET,
        receiptSecrets,
        sendBatch: config.NOTIFICATION_SEND_BATCH,
        claimLeaseMs: config.NOTIFICATION_CLAIM_LEASE_MS,
      };
      return {
        controllers: [NotificationGrpcController],
        providers: [
          { provide: UNIT_OF_WORK, useValue: new TypeormUnitOfWork(postgres) },
          {
            provide: ACCOUNTS,
            useValue: overrides.accounts ?? new GrpcAccountDirectory(user.api),
          },
          { provide: EMAIL_SENDER, useValue: overrides.email ?? smtp },
          { provide: SMS_PROVIDER, useValue: sms },
          // the sandbox SMS provider's inbox (ListSandboxMessages); null: SANDBOX_DISABLED
          { provide: SANDBOX_INBOX, useValue: sms },
          { provide: PUSH_PROVIDER, useValue: push },
          { provide: CLOCK, useValue: clock },
          { provide: ID_GENERATOR, useValue: uuidV7Generator },
          { provide: RANDOM, useValue: overrides.random ?? Math.random },
          { provide: NOTIFICATION_SETTINGS, useValue: settings },
          { provide: SENDER_LOGGER, useValue: logger },
          NotifyUseCase,
          SendDeliveriesUseCase,
          AccountSettingsUseCase,
          OperationsUseCase,
          OneTimeCodeUseCase,
        ],
        // stopped after the sweeps: receipts not yet due are dropped, the SMTP pool closed
        workers: [
          {
            start: () => undefined,
            stop: async () => {
              await Promise.all([sms?.stop(), push?.stop()]);
              smtp?.close();
            },
          },
        ],
        ready: async (get) => {
          const ops = get(OperationsUseCase);
          ownReceipts = async (r, signature) => {
            await ops.recordReceipt(newContext(), r, signature);
          };
        },
        // due deliveries: once across replicas (the sweep's lock), rows claimed with SKIP LOCKED
        sweeps: (get) => [
          {
            name: 'send-deliveries',
            everyMs: config.NOTIFICATION_SEND_INTERVAL_MS,
            run: (ctx) => get(SendDeliveriesUseCase).run(ctx),
          },
        ],
        consumers: (get) => [
          kafka.consumer({
            topics: CONSUMED_TOPICS,
            handler: notificationEventsHandler(get(NotifyUseCase)),
          }),
        ],
      };
    },
  });

/** Starts notification in this process (tests; `main.ts` runs `runService`). */
export function startNotification(
  config: NotificationConfig,
  logger: Logger,
  overrides: NotificationOverrides = {},
): Promise<RunningService> {
  return launchService(notificationService(overrides), config, logger);
}
