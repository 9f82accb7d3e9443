import {
  loadPackageDefinition,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type GrpcObject,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { grpcService } from '@emporia/contracts';
import { ERROR_METADATA_KEY, grpcLoaderOptions } from '@emporia/platform';

export interface FakeAccount {
  id: string;
  email?: string;
  phone?: string;
  locale?: string;
  consents?: string[];
}

export interface FakeUser {
  url: string;
  accounts: Map<string, FakeAccount>;
  /** While true every call is UNAVAILABLE, as a user service that is down. */
  down: boolean;
  calls: number;
  stop(): Promise<void>;
}

function grpcError(code: status, errorCode: string): Error {
  const metadata = new Metadata();
  metadata.set(ERROR_METADATA_KEY, JSON.stringify({ code: errorCode, details: {} }));
  return Object.assign(new Error(errorCode), { code, details: errorCode, metadata });
}

/**
 * The user service at its gRPC boundary (GetAccount only), from the contract's proto file: the
 * accounts the test adds; NOT_FOUND for others; UNAVAILABLE while `down`.
 */
export async function startFakeUser(): Promise<FakeUser> {
  const def = grpcService('user');
  let node: unknown = loadPackageDefinition(
    loadSync(def.protoFile, grpcLoaderOptions(def.includeDirs)),
  );
  for (const part of def.service.split('.')) node = (node as GrpcObject)[part];
  const fake = {
    accounts: new Map<string, FakeAccount>(),
    down: false,
    calls: 0,
  };
  const handlers: UntypedServiceImplementation = {
    getAccount: ((
      call: { request: { accountId: string } },
      cb: (err: unknown, res?: unknown) => void,
    ) => {
      fake.calls++;
      if (fake.down) return cb(grpcError(status.UNAVAILABLE, 'UNAVAILABLE'));
      const a = fake.accounts.get(call.request.accountId);
      if (!a) return cb(grpcError(status.NOT_FOUND, 'ACCOUNT_NOT_FOUND'));
      cb(null, {
        details: {
          account: {
            id: a.id,
            email: a.email ?? '',
            phone: a.phone ?? '',
            roles: ['customer'],
            status: 'ACCOUNT_STATUS_ACTIVE',
            createdAt: '2030-01-01T00:00:00Z',
          },
          profile: { displayName: 'Li', birthday: '', avatarUrl: '', locale: a.locale ?? '' },
          consents: (a.consents ?? []).map((purpose) => ({
            purpose,
            granted: true,
            updatedAt: '2030-01-01T00:00:00Z',
          })),
          mfaEnabled: false,
        },
      });
    }) as unknown as UntypedServiceImplementation[string],
  };
  const server = new Server();
  server.addService((node as { service: ServiceDefinition }).service, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return Object.assign(fake, {
    url: `127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  });
}
