import 'reflect-metadata';
import { createKafka, runReplayDlqCommand } from '@emporia/messaging';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { riskConfigSchema } from './config';
import { migrateRisk, startRisk } from './risk.app';

/**
 * `main.ts` starts the service; `main.ts migrate` applies migrations and exits;
 * `main.ts replay-dlq --topic <topic> [--group <g>] [--dry-run] [--limit <n>]` replays dead letters.
 */
runMain(async () => {
  const config = loadConfig(riskConfigSchema);
  const logger = createLogger('risk', config.LOG_LEVEL);
  if (process.argv[2] === 'replay-dlq') {
    await runReplayDlqCommand(process.argv.slice(3), {
      kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'risk-replay-dlq', logger }),
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      defaultGroup: config.RISK_CONSUMER_GROUP,
      logger,
    });
    return;
  }
  if (process.argv[2] === 'migrate') {
    await migrateRisk(config, logger);
    return;
  }
  return startRisk(config, logger);
});
