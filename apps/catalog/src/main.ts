import 'reflect-metadata';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { migrateCatalog, startCatalog } from './catalog.app';
import { catalogConfigSchema } from './config';

/** `main.ts` starts the service; `main.ts migrate` applies migrations and exits (Helm hook job). */
runMain(async () => {
  const config = loadConfig(catalogConfigSchema);
  const logger = createLogger('catalog', config.LOG_LEVEL);
  if (process.argv[2] === 'migrate') {
    await migrateCatalog(config, logger);
    return;
  }
  return startCatalog(config, logger);
});
