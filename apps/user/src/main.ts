import 'reflect-metadata';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { userConfigSchema } from './config';
import { migrateUser, startUser } from './user.app';

/** `main.ts` starts the service; `main.ts migrate` applies migrations and exits. */
runMain(async () => {
  const config = loadConfig(userConfigSchema);
  const logger = createLogger('user', config.LOG_LEVEL);
  if (process.argv[2] === 'migrate') {
    await migrateUser(config, logger);
    return;
  }
  return startUser(config, logger);
});
