import type { Observable } from 'rxjs';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { RequestContext } from './context';
import { fromGrpcError, type RemoteError } from './errors';
import { grpcLoaderOptions, outgoingMetadata } from './grpc';
import { H2Channel } from './h2-channel';
import { inGrpcClientSpan } from './trace-hooks';

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

export interface GrpcClientOptions {
  name: string;
  protoFile: string;
  /** Where imports of the proto file resolve (the contracts' PROTO_ROOT). */
  includeDirs: string[];
  service: string;
  /** The backend's address(es), as `<SERVICE>_GRPC_URL` takes them (`grpc-target.ts`). */
  url: string;
  deadlineMs: number;
  /**
   * How long a call waits, within half its deadline, for a connection to the backend (none up
   * yet, or all between connection attempts) before it is sent (default CONNECT_WAIT_MS); none
   * by then: UNAVAILABLE. Nothing has been sent meanwhile, so this is safe for any method.
   */
  connectWaitMs?: number;
}

/**
 * Default of `connectWaitMs`: one reconnection backoff (500 ms, +20 % jitter) and a connect. While
 * a backend is down for good, its callers' answers (503) come this much later.
 */
export const CONNECT_WAIT_MS = 750;

/** A method of a service definition as proto-loader gives it. */
interface MethodDefinition {
  path: string;
  originalName?: string;
  requestSerialize(value: unknown): Buffer;
  responseDeserialize(bytes: Buffer): unknown;
}

/**
 * A typed gRPC client: every method of the service becomes `(ctx, req) => Promise<res>`, with a
 * deadline and the caller's W3C traceparent, and failures as RemoteCallError. Calls go over an
 * `H2Channel` (h2-channel.ts: round robin over the target's addresses, reconnection, keepalive);
 * a call waits for a connection at most `connectWaitMs`, within half its deadline.
 */
export function grpcClient<T extends object>(
  opts: GrpcClientOptions,
): {
  api: T;
  client: H2Channel;
} {
  const service = loadSync(opts.protoFile, grpcLoaderOptions(opts.includeDirs))[opts.service] as
    Record<string, MethodDefinition> | undefined;
  if (!service) throw new Error(`${opts.protoFile} defines no service ${opts.service}`);
  const channel = new H2Channel(opts.url);
  // at most half the deadline, so a call that waited keeps the other half
  const connectWaitMs = Math.min(
    opts.connectWaitMs ?? CONNECT_WAIT_MS,
    Math.floor(opts.deadlineMs / 2),
  );
  const call = (def: MethodDefinition) => (ctx: RequestContext, req: unknown) =>
    inGrpcClientSpan(ctx, def.path, async (headers) => {
      const deadline = Date.now() + opts.deadlineMs;
      const metadata = headers?.traceparent ? headers : outgoingMetadata(ctx);
      let answer: Buffer;
      try {
        answer = await channel.unary(
          def.path,
          def.requestSerialize(req),
          metadata,
          deadline,
          connectWaitMs,
        );
      } catch (err) {
        throw new RemoteCallError(opts.name, fromGrpcError(err));
      }
      try {
        return def.responseDeserialize(answer);
      } catch (err) {
        throw new RemoteCallError(opts.name, {
          status: GrpcStatus.INTERNAL,
          code: 'INTERNAL',
          message: `the answer of ${def.path} could not be read: ${(err as Error).message}`,
          details: {},
        });
      }
    });
  // One method per rpc of the service definition (camelCase, as in the ts-proto interfaces).
  const api = Object.fromEntries(
    Object.entries(service).map(([name, def]) => [def.originalName ?? name, call(def)]),
  ) as T;
  return { api, client: channel };
}
