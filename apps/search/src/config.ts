import { z } from 'zod';
import { env } from '@emporia/platform';

export const searchConfigSchema = z.object({
  ELASTICSEARCH_URL: env.url(),
  SEARCH_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only')
    .default(''),
  KAFKA_BROKERS: env.csv(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  SEARCH_CONSUMER_GROUP: z.string().min(1).default('search'),
  SEARCH_GRPC_PORT: env.port(50052),
  SEARCH_HTTP_PORT: env.port(8082),
  BIND_HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: env.logLevel(),
  /** Attempts per event before it goes to the dead-letter topic. */
  SEARCH_MAX_ATTEMPTS: env.int(5, 1),
});

export type SearchConfig = z.infer<typeof searchConfigSchema>;
