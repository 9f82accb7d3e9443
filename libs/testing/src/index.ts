export { provideInfrastructure, REPO_ROOT } from './infrastructure';
export type { Endpoints, Server } from './infrastructure';
export {
  createTestDatabase,
  eventually,
  freePort,
  migrateTestDatabase,
  oneConnectionDataSource,
  testEnv,
  testLogger,
  uniqueSuffix,
  withRoundTrips,
} from './fixtures';
export { grpcFailure, grpcTestClient } from './grpc-client';
export { startTcpProxy } from './tcp-proxy';
export { REDIS_PERSISTENCE_CONF, startOwnRedis } from './redis-server';
export type { OwnRedis } from './redis-server';
export type { TcpProxy } from './tcp-proxy';
export { runServiceCommand, startServiceProcess } from './processes';
export type { ServiceProcess } from './processes';
export {
  apiClient,
  carrierSignature,
  E2E_CARRIER_SECRET,
  E2E_SANDBOX_SECRET,
  SERVICE_APPS,
  startPlatform,
} from './platform';
export type { Api, ApiResponse, Platform } from './platform';
export {
  aCatalogSku,
  aCheckout,
  anHttpCheckout,
  aShippingAddress,
  CatalogSkuBuilder,
  CheckoutRequestBuilder,
  HttpCheckoutBuilder,
} from './builders';
export type { GrpcCaller } from './builders';
// the analytics proof (issue 16): a synthetic month and its expected figures
export * from './analytics-month';
export * from './analytics-expected';
export * from './analytics-expected-customers';
export * from './analytics-expected-more';
export { grpcError, startFakeGrpc } from './fake-grpc';
export type { FakeAnswers, FakeService } from './fake-grpc';
export * from './chaos-suite';
export { heavySuiteTurn } from './heavy-suite';
export { JAEGER_BIN, startOwnJaeger } from './jaeger';
export type { JaegerSpan, JaegerTrace, OwnJaeger } from './jaeger';
export { expectAccessible, launchChromium, newPage, watchPage } from './browser';
export { totpNow } from './totp';
