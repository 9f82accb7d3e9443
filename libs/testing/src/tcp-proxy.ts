import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server, for outages local to one test: the shared servers keep
 * running for everyone else while the code under test loses its way to them.
 */
export interface TcpProxy {
  /** The port clients connect to (stable across `cut` and `restore`). */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string;
  /**
   * The server "goes away": open connections are reset, and new ones are refused (`refuse`,
   * a stopped server: ECONNREFUSED) or accepted and never answered (`blackhole`, a partition).
   */
  cut(mode?: 'refuse' | 'blackhole'): Promise<void>;
  /** The server is back: connections go through again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let mode: 'pass' | 'blackhole' = 'pass';
  const track = (s: Socket) => {
    open.add(s);
    s.once('close', () => open.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (mode === 'blackhole') return; // accepted, never answered
    const upstream = createConnection(target);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const resetAll = () => {
    for (const s of open) s.resetAndDestroy();
    open.clear();
  };
  await listen(0);
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async cut(how = 'refuse') {
      resetAll();
      if (how === 'blackhole') {
        mode = 'blackhole';
        if (!server.listening) await listen(port);
      } else {
        mode = 'pass';
        const closed = stopListening();
        resetAll();
        await closed;
      }
    },
    async restore() {
      if (mode === 'blackhole') resetAll();
      mode = 'pass';
      if (!server.listening) await listen(port);
    },
    async close() {
      const closed = stopListening();
      resetAll();
      await closed;
    },
  };
}
