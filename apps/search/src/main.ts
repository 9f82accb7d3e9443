import 'reflect-metadata';
import { createKafka, runReplayDlqCommand } from '@emporia/messaging';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { searchConfigSchema } from './config';
import { startSearch } from './search.app';

/**
 * `main.ts` starts the service;
 * `main.ts replay-dlq --topic <topic> [--group <g>] [--dry-run] [--limit <n>]` replays dead letters.
 */
runMain(async () => {
  const config = loadConfig(searchConfigSchema);
  const logger = createLogger('search', config.LOG_LEVEL);
  if (process.argv[2] === 'replay-dlq') {
    await runReplayDlqCommand(process.argv.slice(3), {
      kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'search-replay-dlq', logger }),
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      defaultGroup: config.SEARCH_CONSUMER_GROUP,
      logger,
    });
    return;
  }
  return startSearch(config, logger);
});
