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
import { grpcService, type ServiceName } from '@emporia/contracts';
import { ERROR_METADATA_KEY, grpcLoaderOptions } from '@emporia/platform';

type Callback = (err: unknown, res?: unknown) => void;

/** A test double's answer to one method: the response, or a thrown `grpcError`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method has its own request type
export type FakeAnswers = Record<string, (request: any) => unknown>;

export interface FakeService {
  url: string;
  /** Requests received, by method (camelCase), oldest first. */
  calls: Map<string, unknown[]>;
  /** The last request of a method. */
  last<T = Record<string, unknown>>(method: string): T | undefined;
  stop(): Promise<void>;
}

/** A gRPC error as the services' exception filter sends it: a status and a stable code. */
export function grpcError(code: status, errorCode: string, message = errorCode): Error {
  const metadata = new Metadata();
  metadata.set(ERROR_METADATA_KEY, JSON.stringify({ code: errorCode, details: {} }));
  return Object.assign(new Error(message), { code, details: message, metadata });
}

/**
 * A test double of one backend at its gRPC boundary, for route tests and a service's peers (the
 * end-to-end suites run the real services): it serves the contract's service from its proto
 * file, records each request and answers with `answers[method]`. A method without an answer is
 * UNIMPLEMENTED.
 */
export async function startFakeGrpc(name: ServiceName, answers: FakeAnswers): Promise<FakeService> {
  const calls = new Map<string, unknown[]>();
  const def = grpcService(name);
  let node: unknown = loadPackageDefinition(
    loadSync(def.protoFile, grpcLoaderOptions(def.includeDirs)),
  );
  for (const part of def.service.split('.')) node = (node as GrpcObject)[part];
  const handlers: UntypedServiceImplementation = Object.fromEntries(
    Object.entries(answers).map(([method, answer]) => [
      method,
      ((call: { request: unknown }, cb: Callback) => {
        calls.set(method, [...(calls.get(method) ?? []), call.request]);
        try {
          cb(null, answer(call.request));
        } catch (e) {
          cb(e);
        }
      }) as unknown as UntypedServiceImplementation[string],
    ]),
  );
  const server = new Server();
  server.addService((node as { service: ServiceDefinition }).service, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    url: `127.0.0.1:${port}`,
    calls,
    last: <T>(method: string) => calls.get(method)?.at(-1) as T | undefined,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
