import 'reflect-metadata';
import { createLogger, loadConfig, runMain } from '@emporia/platform';
import { gatewayConfigSchema } from './config';
import { startGateway } from './gateway.app';

runMain(async () => {
  const config = loadConfig(gatewayConfigSchema);
  return startGateway(config, createLogger('gateway', config.LOG_LEVEL));
});
