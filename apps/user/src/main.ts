import 'reflect-metadata';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { userConfigSchema } from './config';
import { grantRoles, migrateUser, startUser } from './user.app';

/**
 * `main.ts` starts the service; `main.ts migrate` applies migrations and exits;
 * `main.ts grant-roles <email|phone> <roles>` sets an account's roles (bootstrap an admin).
 */
runMain(async () => {
  const config = loadConfig(userConfigSchema);
  const logger = createLogger('user', config.LOG_LEVEL);
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
