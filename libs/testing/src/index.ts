export { provideInfrastructure, REPO_ROOT } from './infrastructure';
export type { Endpoints, Server } from './infrastructure';
export { createTestDatabase, eventually, testEnv, testLogger, uniqueSuffix } from './fixtures';
