import { z } from 'zod';
import { userV1 } from '@emporia/contracts';
import { env } from '@emporia/platform';
import { relyingPartyProblem } from './infrastructure/relying-party';

/** The development default; production must set its own (`MFA_ENCRYPTION_KEY`). */
export const DEV_MFA_KEY = 'emporia-development-only-mfa-key';

export const userConfigSchema = z
  .object({
    USER_DATABASE_URL: env.url(),
    REDIS_URL: env.url(),
    REDIS_KEY_PREFIX: z.string().default(''),
    KAFKA_BROKERS: env.csv(),
    KAFKA_TOPIC_PREFIX: z.string().default(''),
    USER_GRPC_PORT: env.port(50053),
    USER_HTTP_PORT: env.port(8083),
    BIND_HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: env.logLevel(),
    OUTBOX_POLL_MS: env.int(500, 10),
    DB_POOL_SIZE: env.int(10, 1),
    /** Named prepared statements (libs/persistence README); false behind a pooler that cannot carry them. */
    DB_PREPARED_STATEMENTS: env.bool(true),
    USER_MIGRATE_ON_START: env.bool(false),
    JWT_ISSUER: z.string().min(1).default('emporia-user'),
    JWT_AUDIENCE: z.string().min(1).default('emporia-api'),
    ACCESS_TOKEN_TTL_SECONDS: env.int(900, 30),
    /**
     * Prefix of the access-token revocation list in Redis (`REDIS_URL`), which the gateway
     * reads: must be the gateway's `TOKEN_REVOCATION_KEY_PREFIX`. Not `REDIS_KEY_PREFIX`, which
     * keeps this service's own keys apart.
     */
    TOKEN_REVOCATION_KEY_PREFIX: z.string().default(userV1.DEFAULT_TOKEN_REVOCATION_PREFIX),
    REFRESH_TOKEN_TTL_DAYS: env.int(30, 1),
    /** argon2id cost; the defaults are OWASP's minimum recommendation. */
    ARGON2_MEMORY_KIB: env.int(19456, 1024),
    ARGON2_TIME_COST: env.int(2, 1),
    ARGON2_PARALLELISM: env.int(1, 1),
    LOGIN_MAX_FAILURES: env.int(5, 1),
    LOGIN_IP_MAX_FAILURES: env.int(50, 1),
    LOGIN_FAILURE_WINDOW_SECONDS: env.int(900, 1),
    LOGIN_LOCK_SECONDS: env.int(900, 1),
    USER_CONSUMER_GROUP: z.string().min(1).default('user'),
    /** Points per whole currency unit paid (1 point per yuan). */
    POINTS_PER_MAJOR_UNIT: env.int(1, 0),
    POINTS_TTL_DAYS: env.int(365, 1),
    /** Points for an approved review with photos (not a follow-up), once per review; 0 disables. */
    REVIEW_PHOTO_POINTS: env.int(20, 0),
    /** How often expired points are swept. */
    POINTS_EXPIRY_INTERVAL_MS: env.int(60_000, 100),
    /** Encrypts MFA secrets at rest: 32 bytes base64 (e.g. `openssl rand -base64 32`). */
    MFA_ENCRYPTION_KEY: z.string().min(16).default(DEV_MFA_KEY),
    /** The issuer authenticator apps show. */
    MFA_ISSUER: z.string().min(1).max(64).default('Emporia'),
    /**
     * Passkeys (WebAuthn): the relying party id, the domain the shop's pages are on (passkeys are
     * bound to it: changing it orphans every passkey registered before).
     */
    WEBAUTHN_RP_ID: z.string().min(1).max(253).default('localhost'),
    /** The name browsers and password managers show next to a passkey. */
    WEBAUTHN_RP_NAME: z.string().min(1).max(64).default('Emporia'),
    /**
     * The origins passkey ceremonies run on (the gateway's public origin, the web shop's),
     * comma-separated: https on the RP id or a subdomain of it; http only on localhost.
     */
    WEBAUTHN_ORIGINS: env.csv().default(['http://localhost:8080']),
    /** The risk service, which scores password sign-ins; empty: sign-ins are not scored. */
    RISK_GRPC_URL: env.optionalGrpcTarget(),
    /** How long a sign-in waits for risk; no answer in time signs in unscored (fail open). */
    RISK_DEADLINE_MS: env.int(200, 10),
    /**
     * How long a step-up (a second factor proved in a session) allows sensitive changes; the
     * gateway's `STEP_UP_WINDOW_SECONDS` should match.
     */
    STEP_UP_WINDOW_SECONDS: env.int(300, 30),
    /**
     * The notification service, which sends SMS one-time codes (SendOneTimeCode); empty: SMS codes
     * cannot be sent (SendSmsCode answers UNAVAILABLE SMS_UNAVAILABLE).
     */
    NOTIFICATION_GRPC_URL: env.optionalGrpcTarget(),
    /** How long SendSmsCode waits for notification to hand the code to the SMS provider. */
    NOTIFICATION_DEADLINE_MS: env.int(3000, 100),
    /** SMS codes: the wait before another code to the same number. */
    SMS_CODE_COOLDOWN_SECONDS: env.int(60, 0),
    /** SMS codes: at most this many per number, per account and per client address … */
    SMS_MAX_PER_PHONE: env.int(5, 1),
    SMS_MAX_PER_ACCOUNT: env.int(10, 1),
    SMS_MAX_PER_IP: env.int(20, 1),
    /** … within this sliding window. */
    SMS_SEND_WINDOW_SECONDS: env.int(3600, 60),
    NODE_ENV: z.string().default('development'),
  })
  .refine((c) => c.NODE_ENV !== 'production' || c.MFA_ENCRYPTION_KEY !== DEV_MFA_KEY, {
    path: ['MFA_ENCRYPTION_KEY'],
    message: 'set MFA_ENCRYPTION_KEY in production (32 random bytes, base64)',
  })
  .superRefine((c, ctx) => {
    const problem = relyingPartyProblem({
      id: c.WEBAUTHN_RP_ID,
      name: c.WEBAUTHN_RP_NAME,
      origins: c.WEBAUTHN_ORIGINS,
    });
    if (problem)
      ctx.addIssue({
        code: 'custom',
        path: [problem.startsWith(`'${c.WEBAUTHN_RP_ID}'`) ? 'WEBAUTHN_RP_ID' : 'WEBAUTHN_ORIGINS'],
        message: problem,
      });
  });

export type UserConfig = z.infer<typeof userConfigSchema>;
