import { z } from 'zod';
import { env, MIN_SECRET_LENGTH } from '@emporia/platform';

/** The development key docker-compose.yml signs unsubscribe links with when none is given. */
export const COMPOSE_DEVELOPMENT_SECRETS: readonly string[] = [
  'compose-development-unsubscribe-key-0123456789',
];

const emailList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .refine(
    (list) => list.every((e) => /^[^\s@]+@[^\s@]+$/.test(e)),
    'must be e-mail addresses, comma-separated',
  );

/** Notification settings: every variable has a default that works for `npm start` but the secrets and URLs. */
export const notificationConfigSchema = z
  .object({
    NOTIFICATION_DATABASE_URL: env.url(),
    KAFKA_BROKERS: env.csv(),
    KAFKA_TOPIC_PREFIX: z.string().default(''),
    NOTIFICATION_CONSUMER_GROUP: z.string().min(1).default('notification'),
    NOTIFICATION_GRPC_PORT: env.port(50060),
    NOTIFICATION_HTTP_PORT: env.port(8091),
    BIND_HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: env.logLevel(),
    DB_POOL_SIZE: env.int(10, 1),
    /** Named prepared statements (libs/persistence README); false behind a pooler that cannot carry them. */
    DB_PREPARED_STATEMENTS: env.bool(true),
    NOTIFICATION_MIGRATE_ON_START: env.bool(false),
    GRPC_DEADLINE_MS: env.int(2000, 50),
    // user: e-mail, phone, profile locale and consents of the recipients (GetAccount)
    USER_GRPC_URL: env.grpcTarget().default('127.0.0.1:50053'),
    // smtp[s]://[user:pass@]host:port; the default is the local mail sink (Mailpit)
    SMTP_URL: z
      .string()
      .default('smtp://127.0.0.1:51025')
      .refine(
        (v) => /^smtps?:\/\/[^\s/]+:\d{1,5}\/?$/.test(v),
        'must be smtp[s]://[user:pass@]host:port',
      ),
    SMTP_FROM: z.string().min(3).default('Emporia <no-reply@emporia.local>'),
    SMTP_TIMEOUT_MS: env.int(10_000, 100),
    // the gateway's public URL: unsubscribe links in marketing mail
    NOTIFICATION_PUBLIC_BASE_URL: env.url().default('http://127.0.0.1:8080'),
    // required: a key of at least 32 characters; the compose file's development key is refused
    // with NODE_ENV=production
    NOTIFICATION_UNSUBSCRIBE_SECRET: env
      .hmacSecret()
      .refine((s) => s !== '', `required: at least ${MIN_SECRET_LENGTH} random characters`),
    // the sandbox SMS and push providers (signed receipts); off: SMS and push are skipped
    NOTIFICATION_SANDBOX_ENABLED: env.bool(false),
    NOTIFICATION_SANDBOX_SECRET: env.hmacSecret(),
    NODE_ENV: z.string().default('development'),
    // where the sandbox posts receipts (the gateway's /v1/notifications/receipts); empty: straight
    // to the service's own RecordReceipt use case, signed and verified all the same
    NOTIFICATION_SANDBOX_RECEIPT_URL: z.union([z.literal(''), z.url()]).default(''),
    NOTIFICATION_SANDBOX_RECEIPT_DELAY_MS: env.int(500, 0),
    // operators' low-stock alerts (comma-separated e-mail addresses)
    NOTIFICATION_OPERATOR_EMAILS: emailList,
    NOTIFICATION_DEFAULT_TIME_ZONE: env.timeZone('Asia/Shanghai'),
    // the sender: how often it looks for due deliveries, retries and backoff
    NOTIFICATION_SEND_INTERVAL_MS: env.int(1000, 50),
    NOTIFICATION_MAX_ATTEMPTS: env.int(5, 1),
    NOTIFICATION_RETRY_BASE_MS: env.int(30_000, 10),
    NOTIFICATION_SEND_BATCH: env.int(50, 1),
    NOTIFICATION_CLAIM_LEASE_MS: env.int(120_000, 1000),
  })
  .superRefine((c, ctx) => {
    if (c.NOTIFICATION_SANDBOX_ENABLED && c.NOTIFICATION_SANDBOX_SECRET === '')
      ctx.addIssue({
        code: 'custom',
        path: ['NOTIFICATION_SANDBOX_SECRET'],
        message: `required when NOTIFICATION_SANDBOX_ENABLED=true: at least ${MIN_SECRET_LENGTH} random characters (e.g. openssl rand -hex 32)`,
      });
    if (c.NODE_ENV !== 'production') return;
    if (c.NOTIFICATION_SANDBOX_ENABLED)
      ctx.addIssue({
        code: 'custom',
        path: ['NOTIFICATION_SANDBOX_ENABLED'],
        message:
          'the sandbox SMS and push providers are for development and tests: they cannot be enabled with NODE_ENV=production',
      });
    if (COMPOSE_DEVELOPMENT_SECRETS.includes(c.NOTIFICATION_UNSUBSCRIBE_SECRET))
      ctx.addIssue({
        code: 'custom',
        path: ['NOTIFICATION_UNSUBSCRIBE_SECRET'],
        message: "is the compose file's development key: generate your own (openssl rand -hex 32)",
      });
  });

export type NotificationConfig = z.infer<typeof notificationConfigSchema>;
