import 'reflect-metadata';
import { createKafka, runReplayDlqCommand } from '@emporia/messaging';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { userConfigSchema } from './config';
import { grantRoles, migrateUser, startUser } from './user.app';

/**
 * `main.ts` starts the service; `main.ts migrate` applies migrations and exits;
 * `main.ts grant-roles <email|phone> <roles>` sets an account's roles (bootstrap an admin);
 * `main.ts replay-dlq --topic <topic> [--group <g>] [--dry-run] [--limit <n>]` replays dead letters.
 */
runMain(async () => {
  const config = loadConfig(userConfigSchema);
  const logger = createLogger('user', config.LOG_LEVEL);
  if (process.argv[2] === 'replay-dlq') {
    await runReplayDlqCommand(process.argv.slice(3), {
      kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'user-replay-dlq', logger }),
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      defaultGroup: config.USER_CONSUMER_GROUP,
      logger,
    });
    return;
  }
  if (process.argv[2] === 'migrate') {
    await migrateUser(config, logger);
    return;
  }
  if (process.argv[2] === 'grant-roles') {
    await grantRoles(config, logger, process.argv[3] ?? '', process.argv[4] ?? '');
    return;
  }
  return startUser(config, logger);
});
