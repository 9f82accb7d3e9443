import type { Observable } from 'rxjs';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { RequestContext } from './context';
import { fromGrpcError, type RemoteError } from './errors';
import { grpcLoaderOptions, outgoingMetadata } from './grpc';

type Unwrap<T> = T extends Observable<infer U> ? U : T extends Promise<infer U> ? U : T;

/** A service's unary methods as `(ctx, request) => Promise<response>`, from its ts-proto controller. */
export type GrpcApi<Service> = {
  [K in keyof Service]: Service[K] extends (req: infer Q, ...rest: never[]) => infer R
    ? (ctx: RequestContext, req: Q) => Promise<Unwrap<R>>
    : never;
};

/** A backend call failed: carries the status and the service's stable error code. */
export class RemoteCallError extends Error {
  constructor(
    readonly backend: string,
    readonly remote: RemoteError,
  ) {
    super(`${backend}: ${remote.message}`);
    this.name = 'RemoteCallError';
  }
}

type UnaryFn = (
  req: unknown,
  md: Metadata,
  opts: { deadline: Date },
  cb: (err: ServiceError | null, res: unknown) => void,
) => void;

export interface GrpcClientOptions {
  name: string;
  protoFile: string;
  /** Where imports of the proto file resolve (the contracts' PROTO_ROOT). */
  includeDirs: string[];
  service: string;
  url: string;
  deadlineMs: number;
}

/**
 * A typed gRPC client: every method of the service becomes `(ctx, req) => Promise<res>`, with a
 * deadline and the caller's W3C traceparent, and failures as RemoteCallError.
 */
export function grpcClient<T extends object>(opts: GrpcClientOptions): { api: T; client: Client } {
  const pkg = loadPackageDefinition(loadSync(opts.protoFile, grpcLoaderOptions(opts.includeDirs)));
  const Ctor = opts.service
    .split('.')
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], pkg) as (new (
    url: string,
    creds: ReturnType<typeof credentials.createInsecure>,
  ) => Client & Record<string, UnaryFn>) & { service: Record<string, { originalName?: string }> };
  const client = new Ctor(opts.url, credentials.createInsecure());
  const call = (method: string) => (ctx: RequestContext, req: unknown) =>
    new Promise((resolve, reject) => {
      const md = new Metadata();
      for (const [k, v] of Object.entries(outgoingMetadata(ctx))) md.set(k, v);
      client[method].call(
        client,
        req,
        md,
        { deadline: new Date(Date.now() + opts.deadlineMs) },
        (err, res) =>
          err ? reject(new RemoteCallError(opts.name, fromGrpcError(err))) : resolve(res),
      );
    });
  // One method per rpc of the service definition (camelCase, as in the ts-proto interfaces).
  const api = Object.fromEntries(
    Object.entries(Ctor.service).map(([name, def]) => {
      const method = def.originalName ?? name;
      return [method, call(method)];
    }),
  ) as T;
  return { api, client };
}

/** Readiness: the channel connects within `timeoutMs`. */
export function waitForReady(client: Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) =>
    client.waitForReady(new Date(Date.now() + timeoutMs), (err) => (err ? reject(err) : resolve())),
  );
}
