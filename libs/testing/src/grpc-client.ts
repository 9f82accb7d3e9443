import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_ROOT } from '@emporia/contracts';
import { fromGrpcError, grpcLoaderOptions, type RemoteError } from '@emporia/platform';

type Unary = (
  req: unknown,
  md: Metadata,
  opts: { deadline: Date },
  cb: (err: ServiceError | null, res: unknown) => void,
) => void;

/**
 * A real gRPC client for tests: `call('createProduct', {...})` resolves with the response or
 * rejects with the grpc-js ServiceError (status code, details, metadata).
 */
export function grpcTestClient(protoFile: string, service: string, url: string) {
  const def = loadSync(protoFile, grpcLoaderOptions([PROTO_ROOT]));
  const pkg = loadPackageDefinition(def);
  const Ctor = service
    .split('.')
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], pkg) as new (
    url: string,
    creds: ReturnType<typeof credentials.createInsecure>,
  ) => Record<string, Unary> & { close(): void };
  const client = new Ctor(url, credentials.createInsecure());
  return {
    call<T = Record<string, unknown>>(
      method: string,
      req: unknown,
      metadata: Record<string, string> = {},
    ): Promise<T> {
      const md = new Metadata();
      for (const [k, v] of Object.entries(metadata)) md.set(k, v);
      return new Promise((resolve, reject) => {
        client[method].call(
          client,
          req,
          md,
          { deadline: new Date(Date.now() + 10000) },
          (err, res) => (err ? reject(err) : resolve(res as T)),
        );
      });
    },
    close: () => client.close(),
  };
}

/**
 * The error a gRPC call failed with, as callers see it (`fromGrpcError`: status, code, message,
 * details); a call that succeeds fails the test.
 */
export const grpcFailure = (p: Promise<unknown>): Promise<RemoteError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => fromGrpcError(e),
  );
