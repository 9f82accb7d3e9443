import { createServer, type Server as NetServer, Socket } from 'node:net';
import {
  Metadata,
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { fromGrpcError } from './errors';
import { GRPC_CHANNEL_SETTINGS, H2Channel } from './h2-channel';
import { freePort } from './risk-test-server';

// A grpc-js server (as every service runs) with methods on raw bytes: the channel under test
// sends and reads bytes; the typed client above it is proven by the services' own tests.
const raw = (name: string) => ({
  path: `/test.Echo/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
});
const ECHO: ServiceDefinition = {
  echo: raw('Echo'),
  slow: raw('Slow'),
  fail: raw('Fail'),
  big: raw('Big'),
  mid: raw('Mid'),
};

/** A 1 MB answer whose every byte says where it is: many DATA frames, read back in order. */
const MID = Buffer.from(Array.from({ length: 1_000_003 }, (_, i) => (i * 7) % 251));

type Handler = (call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => void;

async function startServer(
  port: number,
  options: Record<string, number> = {},
  seen: { cancelled: number; byServer: string } = { cancelled: 0, byServer: '' },
) {
  const server = new Server(options);
  const handlers: Record<string, Handler> = {
    echo: (call, cb) => cb(null, Buffer.concat([Buffer.from(`${seen.byServer}:`), call.request])),
    slow: (call, cb) => {
      const t = setTimeout(() => cb(null, call.request), 300);
      call.on('cancelled', () => {
        clearTimeout(t);
        seen.cancelled++;
      });
    },
    fail: (_call, cb) => {
      const md = new Metadata();
      md.set('emporia-error', JSON.stringify({ code: 'SKU_NOT_FOUND', details: { sku: 'x' } }));
      cb({ code: GrpcStatus.NOT_FOUND, details: 'no SKU "x" — 没有', metadata: md });
    },
    big: (_call, cb) => cb(null, Buffer.alloc(5 * 1024 * 1024, 1)),
    mid: (_call, cb) => cb(null, MID),
  };
  server.addService(ECHO, handlers);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return server;
}

const stop = (server: Server) =>
  new Promise<void>((resolve) => server.tryShutdown(() => resolve()));

const call = (channel: H2Channel, method: string, body = 'hi', deadlineMs = 2000, waitMs = 500) =>
  channel.unary(
    `/test.Echo/${method}`,
    Buffer.from(body),
    { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    Date.now() + deadlineMs,
    waitMs,
  );

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: unknown) => fromGrpcError(e),
  );

describe('H2Channel: unary gRPC calls over node:http2 against a grpc-js server', () => {
  let port: number;
  let server: Server;
  const seen = { cancelled: 0, byServer: 'one' };
  let channel: H2Channel;

  beforeAll(async () => {
    port = await freePort();
    server = await startServer(port, {}, seen);
    channel = new H2Channel(`127.0.0.1:${port}`);
  });
  afterAll(async () => {
    channel.close();
    await stop(server);
  });

  it('sends the request and reads the answer', async () => {
    expect((await call(channel, 'Echo', '手机 phone')).toString()).toBe('one:手机 phone');
    expect(channel.state()).toBe('READY');
  });

  it('carries the status, its message and the error metadata of a failure', async () => {
    expect(await failure(call(channel, 'Fail'))).toEqual({
      status: GrpcStatus.NOT_FOUND,
      code: 'SKU_NOT_FOUND',
      message: 'no SKU "x" — 没有',
      details: { sku: 'x' },
    });
  });

  it('an unknown method is UNIMPLEMENTED', async () => {
    expect((await failure(call(channel, 'Nope'))).status).toBe(GrpcStatus.UNIMPLEMENTED);
  });

  it('a call past its deadline is DEADLINE_EXCEEDED, and the server sees it cancelled', async () => {
    const before = seen.cancelled;
    const started = Date.now();
    expect((await failure(call(channel, 'Slow', 'x', 100))).status).toBe(
      GrpcStatus.DEADLINE_EXCEEDED,
    );
    expect(Date.now() - started).toBeLessThan(280);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.cancelled).toBe(before + 1);
  });

  it('an answer over 4 MiB is refused: RESOURCE_EXHAUSTED', async () => {
    expect((await failure(call(channel, 'Big'))).status).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    // the connection stays usable
    expect((await call(channel, 'Echo')).toString()).toBe('one:hi');
  });

  it('an answer of many frames is read whole, in order', async () => {
    const answers = await Promise.all([call(channel, 'Mid'), call(channel, 'Mid')]);
    for (const a of answers) expect(a.equals(MID)).toBe(true);
  });

  it('many calls at once share the connection', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call(channel, 'Echo', String(i))),
    );
    expect(answers.map((a) => a.toString())).toEqual(
      Array.from({ length: 200 }, (_, i) => `one:${i}`),
    );
  });
});

describe('H2Channel: connections', () => {
  it('a name resolves (localhost) and calls go to what it resolves to', async () => {
    const port = await freePort();
    const server = await startServer(port, {}, { cancelled: 0, byServer: 'named' });
    const channel = new H2Channel(`dns:///localhost:${port}`);
    try {
      // localhost may resolve to ::1 first, where nothing listens: the IPv4 address answers
      expect((await call(channel, 'Echo', 'x', 3000, 1500)).toString()).toBe('named:x');
    } finally {
      channel.close();
      await stop(server);
    }
  });

  it('nothing listening: UNAVAILABLE once the connection wait is over', async () => {
    const channel = new H2Channel(`127.0.0.1:${await freePort()}`);
    const started = Date.now();
    try {
      expect((await failure(call(channel, 'Echo', 'x', 5000, 300))).status).toBe(
        GrpcStatus.UNAVAILABLE,
      );
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(1000);
      expect(channel.state()).toBe('TRANSIENT_FAILURE');
    } finally {
      channel.close();
    }
  });

  it("a server's maximum connection age (GOAWAY) loses no call: the next go on a new connection", async () => {
    const port = await freePort();
    const server = await startServer(
      port,
      { 'grpc.max_connection_age_ms': 150, 'grpc.max_connection_age_grace_ms': 5000 },
      { cancelled: 0, byServer: 'aging' },
    );
    const channel = new H2Channel(`127.0.0.1:${port}`);
    try {
      const answers: string[] = [];
      const until = Date.now() + 1200;
      while (Date.now() < until) {
        const batch = await Promise.all(
          Array.from({ length: 5 }, (_, i) => call(channel, 'Echo', String(i))),
        );
        answers.push(...batch.map((b) => b.toString()));
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(answers.length).toBeGreaterThan(50);
      expect(new Set(answers)).toEqual(
        new Set(['aging:0', 'aging:1', 'aging:2', 'aging:3', 'aging:4']),
      );
    } finally {
      channel.close();
      await stop(server);
    }
  });

  it('a connection that goes silent is dropped by the keepalive ping: the call fails UNAVAILABLE before its deadline, and the next connects again', async () => {
    const port = await freePort();
    const server = await startServer(port, {}, { cancelled: 0, byServer: 'behind' });
    // a TCP relay that can stop passing bytes on (a partition, without a reset)
    let frozen = false;
    const sockets: Socket[] = [];
    const relay: NetServer = createServer((inbound) => {
      const outbound = new Socket();
      sockets.push(inbound, outbound);
      outbound.connect(port, '127.0.0.1');
      inbound.on('data', (d) => frozen || outbound.write(d));
      outbound.on('data', (d) => frozen || inbound.write(d));
      inbound.on('error', () => undefined);
      outbound.on('error', () => undefined);
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    const relayPort = await new Promise<number>((resolve) =>
      relay.listen(0, '127.0.0.1', () => resolve((relay.address() as { port: number }).port)),
    );
    const channel = new H2Channel(`127.0.0.1:${relayPort}`, {
      ...GRPC_CHANNEL_SETTINGS,
      keepaliveMs: 100,
      keepaliveTimeoutMs: 200,
    });
    try {
      expect((await call(channel, 'Echo')).toString()).toBe('behind:hi');
      frozen = true;
      const started = Date.now();
      expect((await failure(call(channel, 'Echo', 'x', 5000))).status).toBe(GrpcStatus.UNAVAILABLE);
      expect(Date.now() - started).toBeLessThan(1500);
      frozen = false;
      expect((await call(channel, 'Echo', 'again', 3000, 1000)).toString()).toBe('behind:again');
    } finally {
      channel.close();
      for (const s of sockets) s.destroy();
      relay.close();
      await stop(server);
    }
  });

  it('after close, a call is UNAVAILABLE at once', async () => {
    const channel = new H2Channel('127.0.0.1:1');
    channel.close();
    expect((await failure(call(channel, 'Echo'))).status).toBe(GrpcStatus.UNAVAILABLE);
    expect(channel.state()).toBe('SHUTDOWN');
  });
});
