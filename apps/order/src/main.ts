import 'reflect-metadata';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { orderConfigSchema } from './config';
import { migrateOrder, startOrder } from './order.app';

/** `main.ts` starts the service; `main.ts migrate` applies migrations and exits. */
runMain(async () => {
  const config = loadConfig(orderConfigSchema);
  const logger = createLogger('order', config.LOG_LEVEL);
  if (process.argv[2] === 'migrate') {
    await migrateOrder(config, logger);
    return;
  }
  return startOrder(config, logger);
});
