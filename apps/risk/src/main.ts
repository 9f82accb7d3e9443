import 'reflect-metadata';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { riskConfigSchema } from './config';
import { migrateRisk, startRisk } from './risk.app';

/** `main.ts` starts the service; `main.ts migrate` applies migrations and exits. */
runMain(async () => {
  const config = loadConfig(riskConfigSchema);
  const logger = createLogger('risk', config.LOG_LEVEL);
  if (process.argv[2] === 'migrate') {
    await migrateRisk(config, logger);
    return;
  }
  return startRisk(config, logger);
});
