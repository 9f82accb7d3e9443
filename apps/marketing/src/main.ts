import 'reflect-metadata';
import { createKafka, runReplayDlqCommand } from '@emporia/messaging';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { marketingConfigSchema } from './config';
import { migrateMarketing, startMarketing } from './marketing.app';

/**
 * `main.ts` starts the service; `main.ts migrate` applies migrations and exits;
 * `main.ts replay-dlq --topic <topic> [--group <g>] [--dry-run] [--limit <n>]` replays dead letters.
 */
runMain(async () => {
  const config = loadConfig(marketingConfigSchema);
  const logger = createLogger('marketing', config.LOG_LEVEL);
  if (process.argv[2] === 'replay-dlq') {
    await runReplayDlqCommand(process.argv.slice(3), {
      kafka: createKafka({
        brokers: config.KAFKA_BROKERS,
        clientId: 'marketing-replay-dlq',
        logger,
      }),
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      defaultGroup: config.MARKETING_CONSUMER_GROUP,
      logger,
    });
    return;
  }
  if (process.argv[2] === 'migrate') {
    await migrateMarketing(config, logger);
    return;
  }
  return startMarketing(config, logger);
});
