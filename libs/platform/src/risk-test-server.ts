import type { Type } from '@nestjs/common';
import { createServer } from 'node:net';
import type { Logger } from 'pino';
import { GRPC_PACKAGES, grpcService } from '@emporia/contracts';
import { startService, type RunningService } from './bootstrap';
import { PlatformModule } from './platform.module';
import type { AnyRawUnaryMethod } from './raw-grpc';

/** A port nothing listens on (the gRPC server does not say which port 0 became). For tests. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });

/**
 * A service of the risk contract in this process, for the platform's own tests: `controllers`
 * (Nest `@GrpcMethod`s) and `raw` methods on a gRPC server at `port` (HTTP on any port).
 */
export async function startRiskTestServer(opts: {
  logger: Logger;
  controllers: Type[];
  port: number;
  raw?: () => AnyRawUnaryMethod[];
}): Promise<RunningService> {
  return startService({
    module: {
      module: class RiskTestModule {},
      imports: [PlatformModule.forRoot(opts.logger)],
      controllers: opts.controllers,
    },
    logger: opts.logger,
    http: { host: '127.0.0.1', port: 0 },
    grpc: {
      package: GRPC_PACKAGES.risk,
      protoPath: grpcService('risk').protoFile,
      includeDirs: grpcService('risk').includeDirs,
      host: '127.0.0.1',
      port: opts.port,
      ...(opts.raw ? { raw: opts.raw } : {}),
    },
  });
}
