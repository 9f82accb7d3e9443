import type { Observable } from 'rxjs';
import {
  type ChannelOptions,
  connectivityState,
  credentials,
  loadPackageDefinition,
  Metadata,
  status as GrpcStatus,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { RequestContext } from './context';
import { fromGrpcError, type RemoteError } from './errors';
import { grpcLoaderOptions, outgoingMetadata } from './grpc';
import { inContextTrace } from './trace-hooks';
import { grpcChannelTarget } from './grpc-target';

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
  /** The backend's address(es), as `<SERVICE>_GRPC_URL` takes them (`grpc-target.ts`). */
  url: string;
  deadlineMs: number;
  /**
   * How long a call waits, within half its deadline, for a channel that is between connection
   * attempts (TRANSIENT_FAILURE) to connect before it is sent, rather than failing at once
   * (default CONNECT_WAIT_MS); not connected by then: UNAVAILABLE. Nothing has been sent
   * meanwhile, so this is safe for any method.
   */
  connectWaitMs?: number;
}

/**
 * Channel settings of every client. grpc-js waits 1 s after a failed connection attempt, then
 * 1.6 times longer each time, up to 120 s: after a few seconds of a backend's restart its callers
 * tried again only 4–6 s after it was back. Here attempts are at most 500 ms apart, so a channel
 * reconnects within about half a second of its backend listening again; keepalive pings (every
 * 10 s, 5 s to answer, also while idle) find a connection that died silently (a partition, a
 * host gone) instead of waiting for the TCP timeout. Calls go round robin over every address of
 * the target (`grpc-target.ts`: the replicas of a list, or all a name resolves to); grpc-js'
 * default would send them all to the first address that connects.
 */
export const GRPC_CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 500,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  // no channelz: nothing here serves it, and it traces every call
  'grpc.enable_channelz': 0,
};

/**
 * Default of `connectWaitMs`: one reconnection backoff (500 ms, +20 % jitter) and a connect. While
 * a backend is down for good, its callers' answers (503) come this much later.
 */
export const CONNECT_WAIT_MS = 750;

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
    options: ChannelOptions,
  ) => Client & Record<string, UnaryFn>) & { service: Record<string, { originalName?: string }> };
  const client = new Ctor(
    grpcChannelTarget(opts.url),
    credentials.createInsecure(),
    GRPC_CHANNEL_OPTIONS,
  );
  const connectWaitMs = opts.connectWaitMs ?? CONNECT_WAIT_MS;
  const call = (method: string) => async (ctx: RequestContext, req: unknown) => {
    const deadline = Date.now() + opts.deadlineMs;
    // Between connection attempts grpc-js fails a call at once (UNAVAILABLE), though the backend
    // may be back and its channel only waiting out its backoff: wait for it a little (at most
    // half the deadline, so the call keeps the other half). Nothing is sent meanwhile.
    if (client.getChannel().getConnectivityState(true) === connectivityState.TRANSIENT_FAILURE) {
      const waitMs = Math.min(connectWaitMs, Math.floor((deadline - Date.now()) / 2));
      const connected = await waitForReady(client, waitMs).then(
        () => true,
        () => false,
      );
      if (!connected)
        throw new RemoteCallError(opts.name, {
          status: GrpcStatus.UNAVAILABLE,
          code: 'UNAVAILABLE',
          message: `no connection to ${opts.url} within ${waitMs} ms`,
          details: {},
        });
    }
    return new Promise((resolve, reject) => {
      const md = new Metadata();
      for (const [k, v] of Object.entries(outgoingMetadata(ctx))) md.set(k, v);
      // a request not sampled makes no span and passes its own traceparent on ("not sampled")
      inContextTrace(ctx, () =>
        client[method].call(client, req, md, { deadline: new Date(deadline) }, (err, res) =>
          err ? reject(new RemoteCallError(opts.name, fromGrpcError(err))) : resolve(res),
        ),
      );
    });
  };
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
