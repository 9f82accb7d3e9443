import { join } from 'node:path';
import { z } from 'zod';
import { env } from '@emporia/platform';

/** The committed fraud model (apps/risk/model/, shipped in the image beside the compiled code). */
export const DEFAULT_FRAUD_MODEL_PATH = join(__dirname, '..', 'model', 'fraud-model.onnx');

export const riskConfigSchema = z.object({
  RISK_DATABASE_URL: env.url(),
  REDIS_URL: env.url(),
  REDIS_KEY_PREFIX: z.string().default(''),
  KAFKA_BROKERS: env.csv(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  RISK_GRPC_PORT: env.port(50056),
  RISK_HTTP_PORT: env.port(8086),
  BIND_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  DB_POOL_SIZE: env.int(10, 1),
  /** Named prepared statements (libs/persistence README); false behind a pooler that cannot carry them. */
  DB_PREPARED_STATEMENTS: env.bool(true),
  RISK_MIGRATE_ON_START: env.bool(false),
  RISK_CONSUMER_GROUP: z.string().min(1).default('risk'),
  /** How often old return-history facts are pruned (once across replicas). */
  RISK_SWEEP_INTERVAL_MS: env.int(3_600_000, 1000),
  /**
   * The fraud model (ONNX, with its card `<name>.card.json` beside it), loaded at start; empty:
   * no model, orders are decided by the rules alone. A model that cannot be loaded, or whose
   * features are not this code's, stops the start.
   */
  FRAUD_MODEL_PATH: z.string().default(DEFAULT_FRAUD_MODEL_PATH),
  /** How long an order waits for the model's score before the rules decide alone. */
  FRAUD_MODEL_DEADLINE_MS: env.int(15, 1),
});

export type RiskConfig = z.infer<typeof riskConfigSchema>;
