import * as http2 from 'node:http2';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { grpcTargetAddresses, type GrpcEndpoint } from './grpc-target';

/**
 * A gRPC channel for unary calls, on `node:http2` directly: what `grpcClient` sends its calls
 * through. grpc-js' client passes every call through its interceptor, resolving, retrying,
 * load-balancing and subchannel layers, and costs 1.6 times the CPU of the same call made here
 * (`npm run bench:grpc-hop`): the largest per-hop cost left on every path (bench/README.md,
 * issue 19). The services' servers stay grpc-js (through Nest, or raw handlers).
 *
 * It keeps what the platform relied on grpc-js' channel for (`GRPC_CHANNEL_SETTINGS`):
 * - one HTTP/2 connection per address of the target, calls spread over the connected ones
 *   round robin; a name resolved to all its addresses, again (at most once a second) whenever
 *   a connection ends or fails, so replicas a scale-out adds get calls once the servers' maximum
 *   connection age has ended the old connections;
 * - a connection that fails (or is not up within 20 s) is tried again after 100 ms, then 1.6
 *   times longer each time, at most 500 ms apart (±20 % jitter); one that ends (the server's
 *   GOAWAY) at once;
 * - keepalive pings every 10 s (also while idle), 5 s to answer, or the connection is dropped;
 * - a deadline per call, sent as `grpc-timeout` and enforced here (DEADLINE_EXCEEDED, the stream
 *   cancelled);
 * - a call refused before the server saw it (REFUSED_STREAM after a GOAWAY, or a connection
 *   closing as the call started) is sent again once, on another connection: nothing was done;
 * - answers over 4 MiB are refused (RESOURCE_EXHAUSTED), as grpc-js' default.
 *
 * Failures come back as `{ code, details, metadata }`, the shape `fromGrpcError` reads.
 */
export const GRPC_CHANNEL_SETTINGS: ChannelSettings = {
  initialBackoffMs: 100,
  maxBackoffMs: 500,
  backoffMultiplier: 1.6,
  jitter: 0.2,
  keepaliveMs: 10_000,
  keepaliveTimeoutMs: 5_000,
  connectTimeoutMs: 20_000,
  minResolveIntervalMs: 1_000,
  maxReceiveBytes: 4 * 1024 * 1024,
};

export interface ChannelSettings {
  initialBackoffMs: number;
  maxBackoffMs: number;
  backoffMultiplier: number;
  jitter: number;
  keepaliveMs: number;
  keepaliveTimeoutMs: number;
  /** A connection not up within this (an address that drops packets) fails and is retried. */
  connectTimeoutMs: number;
  minResolveIntervalMs: number;
  maxReceiveBytes: number;
}

/** A failed call, as grpc-js' ServiceError carries it (what `fromGrpcError` reads). */
export class GrpcCallError extends Error {
  constructor(
    readonly code: GrpcStatus,
    readonly details: string,
    readonly metadata: { get(key: string): (string | Buffer)[] } = NO_METADATA,
  ) {
    super(`${code} ${GrpcStatus[code]}: ${details}`);
    this.name = 'GrpcCallError';
  }
}

const NO_METADATA = { get: () => [] };

const {
  NGHTTP2_CANCEL,
  NGHTTP2_REFUSED_STREAM,
  NGHTTP2_ENHANCE_YOUR_CALM,
  NGHTTP2_INADEQUATE_SECURITY,
} = http2.constants;

/** The gRPC status of an answer that is not gRPC (the gRPC spec's HTTP-to-gRPC mapping). */
function statusOfHttp(httpStatus: number): GrpcStatus {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

function metadataOf(headers: http2.IncomingHttpHeaders) {
  return {
    get(key: string): (string | Buffer)[] {
      const v = headers[key];
      if (v === undefined) return [];
      const values = Array.isArray(v) ? v : [v];
      return key.endsWith('-bin') ? values.map((s) => Buffer.from(s, 'base64')) : values;
    },
  };
}

function decodeMessage(raw: string | string[] | undefined): string {
  const s = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

type SubchannelState = 'idle' | 'connecting' | 'ready' | 'failed';

/** One address of the target and its HTTP/2 connection. */
class Subchannel {
  state: SubchannelState = 'idle';
  session?: http2.ClientHttp2Session;
  private active = 0;
  private backoffMs: number;
  private retryAt = 0;
  private retryTimer?: NodeJS.Timeout;
  private keepalive?: NodeJS.Timeout;
  private removed = false;
  /** Ends the current connection's part in the channel (its 'close' may come later). */
  private endSession?: () => void;

  constructor(
    readonly endpoint: GrpcEndpoint,
    private readonly settings: ChannelSettings,
    private readonly changed: (ended: boolean) => void,
  ) {
    this.backoffMs = settings.initialBackoffMs;
  }

  /** Connects unless connected, connecting, or waiting out its backoff (then connects after it). */
  connect(): void {
    if (this.removed || this.state === 'connecting' || this.state === 'ready') return;
    const wait = this.retryAt - Date.now();
    if (wait > 0) {
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        this.connect();
      }, wait).unref();
      return;
    }
    this.state = 'connecting';
    const { host, port } = this.endpoint;
    const session = http2.connect(`http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`, {
      settings: { enablePush: false },
      // as grpc-js: no limit of its own on the session's memory (Node degrades badly when it
      // enforces one) nor on the headers sent
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
      maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER,
    });
    this.session = session;
    session.unref();
    let connected = false;
    const connectTimer = setTimeout(() => session.destroy(), this.settings.connectTimeoutMs);
    connectTimer.unref();
    session.once('connect', () => {
      clearTimeout(connectTimer);
      if (this.session !== session) return;
      connected = true;
      this.state = 'ready';
      this.backoffMs = this.settings.initialBackoffMs;
      this.startKeepalive(session);
      this.changed(false);
    });
    // 'close' follows every error; a stream's own error reaches its call
    session.on('error', () => undefined);
    const ended = () => {
      clearTimeout(connectTimer);
      if (this.session !== session) return;
      this.detach();
      if (!connected) {
        this.state = 'failed';
        const jitter = 1 + (Math.random() * 2 - 1) * this.settings.jitter;
        this.retryAt = Date.now() + this.backoffMs * jitter;
        this.backoffMs = Math.min(
          this.settings.maxBackoffMs,
          this.backoffMs * this.settings.backoffMultiplier,
        );
      } else this.state = 'idle';
      this.changed(true);
    };
    // a GOAWAY: the calls in flight finish on it, new ones go to a new connection
    session.once('goaway', () => {
      ended();
      session.close();
    });
    session.once('close', ended);
    this.endSession = ended;
  }

  /** Starts a call's stream on the connection; undefined when it can take none any more. */
  request(headers: http2.OutgoingHttpHeaders): http2.ClientHttp2Stream | undefined {
    const session = this.session;
    if (this.state !== 'ready' || !session) return undefined;
    if (session.closed || session.destroyed) {
      // destroyed (a keepalive ping unanswered, a reset) or closing: its 'close' may not have
      // come yet
      this.endSession?.();
      return undefined;
    }
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: false });
    } catch {
      // the session is going away (GOAWAY received, closing) or out of stream ids: nothing was
      // sent; the next calls go to a new connection
      this.endSession?.();
      session.close();
      return undefined;
    }
    if (this.active++ === 0) session.ref();
    stream.once('close', () => {
      if (--this.active === 0) session.unref();
    });
    return stream;
  }

  /** Leaves the channel: the calls in flight finish, then the connection closes. */
  remove(): void {
    this.removed = true;
    clearTimeout(this.retryTimer);
    const session = this.session;
    this.detach();
    this.state = 'idle';
    session?.close();
  }

  private detach(): void {
    this.endSession = undefined;
    clearInterval(this.keepalive);
    this.keepalive = undefined;
    this.session = undefined;
  }

  private startKeepalive(session: http2.ClientHttp2Session): void {
    this.keepalive = setInterval(() => {
      const drop = () => {
        session.destroy();
        if (this.session === session) this.endSession?.();
      };
      const timeout = setTimeout(drop, this.settings.keepaliveTimeoutMs).unref();
      try {
        if (!session.ping((err) => (err ? drop() : clearTimeout(timeout)))) clearTimeout(timeout);
      } catch {
        clearTimeout(timeout);
        drop();
      }
    }, this.settings.keepaliveMs).unref();
  }
}

export type ChannelState = 'IDLE' | 'CONNECTING' | 'READY' | 'TRANSIENT_FAILURE' | 'SHUTDOWN';

/** See the module's comment. */
export class H2Channel {
  private readonly subchannels = new Map<string, Subchannel>();
  /** The subchannels' values, for the round robin of every call. */
  private list: Subchannel[] = [];
  private readonly name?: GrpcEndpoint;
  private next = 0;
  private closed = false;
  private waiters = new Set<() => void>();
  private resolving = false;
  private resolvedAt = 0;
  private resolveTimer?: NodeJS.Timeout;

  constructor(
    readonly url: string,
    private readonly settings: ChannelSettings = GRPC_CHANNEL_SETTINGS,
  ) {
    const target = grpcTargetAddresses(url);
    if ('name' in target) this.name = target.name;
    else this.setEndpoints(target.endpoints);
  }

  state(): ChannelState {
    if (this.closed) return 'SHUTDOWN';
    const states = [...this.subchannels.values()].map((s) => s.state);
    if (states.includes('ready')) return 'READY';
    if (states.includes('connecting') || (this.resolving && states.length === 0))
      return 'CONNECTING';
    if (states.includes('failed')) return 'TRANSIENT_FAILURE';
    return 'IDLE';
  }

  /** Resolves once a connection is up, or rejects after `timeoutMs` (starts connecting). */
  waitForReady(timeoutMs: number): Promise<void> {
    return this.ready(timeoutMs).then((s) => {
      if (!s) throw new Error(`no connection to ${this.url} within ${timeoutMs} ms`);
    });
  }

  /**
   * One unary call: `message` (the request's bytes) to `path`, the answer's bytes back, or a
   * GrpcCallError. Waits for a connection at most `connectWaitMs` (then UNAVAILABLE).
   */
  async unary(
    path: string,
    message: Buffer,
    metadata: Record<string, string>,
    deadline: number,
    connectWaitMs: number,
  ): Promise<Buffer> {
    const frame = Buffer.allocUnsafe(5 + message.length);
    frame[0] = 0;
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new GrpcCallError(GrpcStatus.UNAVAILABLE, 'channel closed');
      const sub = this.pick() ?? (await this.ready(connectWaitMs));
      if (!sub)
        throw new GrpcCallError(
          GrpcStatus.UNAVAILABLE,
          `no connection to ${this.url} within ${connectWaitMs} ms`,
        );
      const left = deadline - Date.now();
      if (left <= 0) throw new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded');
      const outcome = await this.send(sub, path, frame, metadata, left);
      if (outcome !== REFUSED) return outcome;
      if (attempt >= 1)
        throw new GrpcCallError(GrpcStatus.UNAVAILABLE, `the call to ${this.url} was refused`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.resolveTimer);
    for (const s of this.subchannels.values()) s.remove();
    this.subchannels.clear();
    this.list = [];
    for (const w of this.waiters) w();
  }

  /** A connected subchannel, round robin; starts connecting the others. */
  private pick(): Subchannel | undefined {
    const subs = this.list;
    let found: Subchannel | undefined;
    for (let i = 0; i < subs.length; i++) {
      const s = subs[(this.next + i) % subs.length];
      if (s.state === 'ready') {
        this.next = (this.next + i + 1) % subs.length;
        found = s;
        break;
      }
    }
    if (!found || subs.some((s) => s.state === 'idle')) this.kick();
    return found;
  }

  /** Waits at most `ms` for a connected subchannel. */
  private ready(ms: number): Promise<Subchannel | undefined> {
    const now = this.pick();
    if (now || ms <= 0 || this.closed) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = () => {
        const s = this.closed ? undefined : this.pick();
        if (s || this.closed) {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve(s);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve(this.closed ? undefined : this.pick());
      }, ms);
      this.waiters.add(done);
    });
  }

  /** Connects what is not connected; resolves the name when due. */
  private kick(): void {
    if (this.closed) return;
    if (this.name && (this.subchannels.size === 0 || this.resolveDue())) this.resolve();
    for (const s of this.subchannels.values()) s.connect();
  }

  private resolveDue(): boolean {
    return Date.now() - this.resolvedAt >= this.settings.minResolveIntervalMs;
  }

  private resolve(): void {
    const name = this.name;
    if (!name || this.resolving || this.closed) return;
    const wait = this.settings.minResolveIntervalMs - (Date.now() - this.resolvedAt);
    if (wait > 0) {
      this.resolveTimer ??= setTimeout(() => {
        this.resolveTimer = undefined;
        this.resolve();
      }, wait).unref();
      return;
    }
    this.resolving = true;
    const family = isIP(name.host);
    const found = family
      ? Promise.resolve([{ address: name.host }])
      : lookup(name.host, { all: true, verbatim: true });
    found.then(
      (addresses) => {
        this.resolving = false;
        this.resolvedAt = Date.now();
        if (this.closed) return;
        this.setEndpoints(addresses.map((a) => ({ host: a.address, port: name.port })));
        this.kick();
        this.notify();
      },
      () => {
        // keep the addresses known; try again when due
        this.resolving = false;
        this.resolvedAt = Date.now();
        if (!this.closed && this.subchannels.size === 0) this.resolve();
        this.notify();
      },
    );
  }

  private setEndpoints(endpoints: GrpcEndpoint[]): void {
    const keys = new Set<string>();
    for (const e of endpoints) {
      const key = `${e.host}|${e.port}`;
      keys.add(key);
      if (!this.subchannels.has(key))
        this.subchannels.set(
          key,
          new Subchannel(e, this.settings, (ended) => this.subchannelChanged(ended)),
        );
    }
    for (const [key, s] of this.subchannels)
      if (!keys.has(key)) {
        s.remove();
        this.subchannels.delete(key);
      }
    this.list = [...this.subchannels.values()];
  }

  private subchannelChanged(ended: boolean): void {
    if (this.closed) return;
    if (ended) {
      // a connection ended or failed: the name again (a replica may have gone or come), and
      // connect again (after the backoff, for one that failed)
      if (this.name) this.resolve();
      for (const s of this.subchannels.values()) s.connect();
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Sends one call on `sub`: the answer's message, a GrpcCallError, or REFUSED (not sent). */
  private send(
    sub: Subchannel,
    path: string,
    frame: Buffer,
    metadata: Record<string, string>,
    timeoutMs: number,
  ): Promise<Buffer | typeof REFUSED> {
    const session = sub.session;
    const stream = sub.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': `${Math.min(Math.ceil(timeoutMs), 99_999_999)}m`,
      ...metadata,
    });
    if (!stream) return Promise.resolve(REFUSED);
    return new Promise((resolve, reject) => {
      const body = new MessageReader(this.settings.maxReceiveBytes);
      let httpStatus = 0;
      let headers: http2.IncomingHttpHeaders | undefined;
      let trailers: http2.IncomingHttpHeaders | undefined;
      let failure: GrpcCallError | undefined;
      const timer = setTimeout(() => {
        failure = new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded');
        stream.close(NGHTTP2_CANCEL);
      }, timeoutMs);
      stream.on('response', (h) => {
        headers = h;
        httpStatus = Number(h[':status']);
        if (h['grpc-status'] !== undefined) trailers = h; // trailers-only
      });
      stream.on('data', (chunk: Buffer) => {
        const tooLarge = body.push(chunk);
        if (tooLarge && !failure) {
          failure = tooLarge;
          stream.close(NGHTTP2_CANCEL);
        }
      });
      stream.on('trailers', (t) => {
        trailers = t;
      });
      stream.on('error', () => undefined); // its outcome is read on 'close'
      stream.once('close', () => {
        clearTimeout(timer);
        if (failure) return reject(failure);
        if (trailers) {
          const code = Number(trailers['grpc-status']) as GrpcStatus;
          if (code !== GrpcStatus.OK)
            return reject(
              new GrpcCallError(
                Number.isInteger(code) ? code : GrpcStatus.UNKNOWN,
                decodeMessage(trailers['grpc-message']),
                metadataOf(trailers),
              ),
            );
          const read = body.message(headers?.['grpc-encoding']);
          return read instanceof GrpcCallError ? reject(read) : resolve(read);
        }
        if (headers && httpStatus !== 200)
          return reject(
            new GrpcCallError(statusOfHttp(httpStatus), `Received HTTP status code ${httpStatus}`),
          );
        const rst = stream.rstCode;
        if (!headers && rst === NGHTTP2_REFUSED_STREAM) return resolve(REFUSED);
        // the connection dropped under the call (the server gone, or its socket reset)
        if (!session || session.destroyed)
          return reject(new GrpcCallError(GrpcStatus.UNAVAILABLE, 'Connection dropped'));
        if (rst === NGHTTP2_CANCEL)
          return reject(new GrpcCallError(GrpcStatus.CANCELLED, 'Call cancelled'));
        if (rst === NGHTTP2_ENHANCE_YOUR_CALM)
          return reject(new GrpcCallError(GrpcStatus.RESOURCE_EXHAUSTED, 'Bandwidth exhausted'));
        if (rst === NGHTTP2_INADEQUATE_SECURITY)
          return reject(new GrpcCallError(GrpcStatus.PERMISSION_DENIED, 'Protocol not secure'));
        reject(
          new GrpcCallError(
            GrpcStatus.INTERNAL,
            rst ? `Received RST_STREAM with code ${rst}` : 'The answer ended without a status',
          ),
        );
      });
      stream.end(frame);
    });
  }
}

const REFUSED = Symbol('refused');

/**
 * The one message of a unary answer's body (length-prefixed, uncompressed), copied into its own
 * buffer as the DATA frames arrive: the frames' buffers are garbage at once, rather than all held
 * until the end (a 1 MB answer is some 60 of them).
 */
class MessageReader {
  private head?: Buffer;
  private msg?: Buffer;
  private filled = 0;
  private flag = 0;
  private extra = false;

  constructor(private readonly maxBytes: number) {}

  /** Takes a chunk; a failure when the message is larger than allowed. */
  push(chunk: Buffer): GrpcCallError | undefined {
    let c = chunk;
    if (!this.msg) {
      if (this.extra) return undefined;
      const head = this.head ? Buffer.concat([this.head, c]) : c;
      if (head.length < 5) {
        this.head = Buffer.from(head);
        return undefined;
      }
      this.head = undefined;
      this.flag = head[0];
      const length = head.readUInt32BE(1);
      if (length > this.maxBytes)
        return new GrpcCallError(
          GrpcStatus.RESOURCE_EXHAUSTED,
          `Received message larger than max (${length} vs. ${this.maxBytes})`,
        );
      this.msg = Buffer.allocUnsafe(length);
      c = head.subarray(5);
    }
    const n = Math.min(c.length, this.msg.length - this.filled);
    c.copy(this.msg, this.filled, 0, n);
    this.filled += n;
    if (n < c.length) this.extra = true;
    return undefined;
  }

  /** The message, or why there is none to read. */
  message(encoding: string | string[] | undefined): Buffer | GrpcCallError {
    if (!this.msg)
      return new GrpcCallError(GrpcStatus.UNIMPLEMENTED, 'No message received for a unary call');
    if (this.flag !== 0 && encoding !== undefined && encoding !== 'identity')
      return new GrpcCallError(GrpcStatus.INTERNAL, `Compressed answer (${String(encoding)})`);
    if (this.filled < this.msg.length)
      return new GrpcCallError(GrpcStatus.INTERNAL, 'Truncated message');
    if (this.extra)
      return new GrpcCallError(GrpcStatus.INTERNAL, 'More than one message for a unary call');
    return this.msg;
  }
}
