export { ConfigError, DEFAULT_CURRENCIES, env, loadConfig, MIN_SECRET_LENGTH } from './config';
export {
  contextFromTraceparent,
  currentContext,
  newContext,
  runWithContext,
  toTraceparent,
} from './context';
export type { Caller, RequestContext } from './context';
export { createLogger, NestPinoLogger } from './logger';
export { ThrottledWarning, withTimeout } from './fail-open';
export { PollingLoop } from './polling-loop';
export { pooledRandom } from './random-pool';
export type { Logger } from './logger';
export {
  AppError,
  DEPENDENCY_UNAVAILABLE,
  ERROR_METADATA_KEY,
  fromGrpcError,
  isCodedError,
  isUnavailableFailure,
  KIND_TO_GRPC,
  toGrpcError,
  toRemoteError,
} from './errors';
export {
  errorChain,
  isDependencyUnavailable,
  isPostgresUnavailableCode,
  isUnavailableError,
  KAFKA_RECORD_ERRORS,
} from './dependency';
export type { CodedError, ErrorKind, RemoteError } from './errors';
export { GrpcExceptionFilter } from './grpc-exception.filter';
export { GRPC_SERVER_OPTIONS, grpcLoaderOptions, outgoingMetadata, withGrpcContext } from './grpc';
export { grpcTargetAddresses, grpcTargetProblem } from './grpc-target';
export { HandlerErrorReporter, RawGrpcServer, rawUnary, rawUnaryHandler } from './raw-grpc';
export type { AnyRawUnaryMethod, RawUnaryMethod } from './raw-grpc';
export { counter, gauge, gaugesReadOnScrape, histogram, metricsRegistry } from './metrics';
export { HealthRegistry, OpsController, startOpsServer } from './health';
export type { ReadinessCheck } from './health';
export { decodeCursor, encodeCursor, pageSize } from './pagination';
export { LOGGER, PlatformModule } from './platform.module';
export { runMain, startService } from './bootstrap';
export {
  activeSpan,
  flushTracing,
  inClientSpan,
  inLinkedSpan,
  nameHttpRoute,
  tracingEnabled,
} from './trace-hooks';
export type { SpanIds } from './trace-hooks';
export { CONNECT_WAIT_MS, grpcClient, RemoteCallError } from './grpc-client';
export type { GrpcApi, GrpcClientOptions } from './grpc-client';
export { GRPC_CHANNEL_SETTINGS, GrpcCallError, H2Channel } from './h2-channel';
export type { GrpcServerOptions, RunningService, StartServiceOptions } from './bootstrap';
export {
  defineService,
  elasticsearchResource,
  grpcBackend,
  launchService,
  postgresResource,
  redisResource,
  runCommand,
  runService,
} from './service-kit';
export type {
  Assembly,
  Consumer,
  Get,
  OpenedResource,
  OpenedResources,
  PostgresOptions,
  PostgresSpec,
  ResourceCommand,
  ResourceContext,
  ResourceSpec,
  ResourceSpecs,
  ServiceDefinition,
  Worker,
} from './service-kit';
export { localSweepLock, PostgresSweepLock, Sweeper, sweepsEvery } from './sweeps';
export type { Sweep, SweepLock } from './sweeps';
