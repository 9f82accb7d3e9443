import 'reflect-metadata';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { searchConfigSchema } from './config';
import { startSearch } from './search.app';

runMain(async () => {
  const config = loadConfig(searchConfigSchema);
  return startSearch(config, createLogger('search', config.LOG_LEVEL));
});
