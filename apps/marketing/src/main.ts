import 'reflect-metadata';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { marketingConfigSchema } from './config';
import { migrateMarketing, startMarketing } from './marketing.app';

/** `main.ts` starts the service; `main.ts migrate` applies migrations and exits. */
runMain(async () => {
  const config = loadConfig(marketingConfigSchema);
  const logger = createLogger('marketing', config.LOG_LEVEL);
  if (process.argv[2] === 'migrate') {
    await migrateMarketing(config, logger);
    return;
  }
  return startMarketing(config, logger);
});
