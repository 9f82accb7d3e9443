import { connect, type Socket } from 'node:net';
import type { RunningService } from '@emporia/platform';
import { startGateway } from '../src/gateway.app';
import { testGatewayConfig } from './support/gateway-config';
import { testLogger } from '@emporia/testing';
import { signer, verifierFor } from './support/token-signer';

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A keep-alive HTTP/1.1 connection to the gateway, read by hand (no client pool in between). */
class Connection {
  private readonly socket: Socket;
  private buffered = '';
  private waiting: (() => void) | undefined;
  closed = false;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect(Number(port), hostname);
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      this.waiting?.();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
  }

  /** One request and its whole answer (head and body), or `reset` when the connection closed. */
  async get(path: string): Promise<{ status: number; head: string; body: string } | 'reset'> {
    if (this.closed) return 'reset';
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: gateway\r\n\r\n`);
    for (;;) {
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.buffered.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (this.buffered.length >= end + 4 + length) {
          const body = this.buffered.slice(end + 4, end + 4 + length);
          this.buffered = this.buffered.slice(end + 4 + length);
          return { status: Number(head.split(' ')[1]), head: head.toLowerCase(), body };
        }
      }
      if (this.closed) return 'reset';
      await new Promise<void>((r) => (this.waiting = r));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * SIGTERM's drain at the gateway (installDrain, GATEWAY_DRAIN_IDLE_MS): new connections are
 * refused at once; a client's keep-alive connection that was idle when the drain began is left
 * for the client to use, and the request it writes is answered 503 SHUTTING_DOWN with
 * Connection: close, instead of the connection being closed under it. One left idle is closed
 * after the bound. With no bound the server closes the idle connection at once (what a client
 * writing on it at that instant saw as a reset). Backends are down: the route asked for is one
 * the edge answers itself (404).
 */
describe('gateway drain (backends unreachable)', () => {
  const start = async (idleMs: number) => {
    const keys = await signer();
    return startGateway(
      await testGatewayConfig('drain', { GATEWAY_DRAIN_IDLE_MS: String(idleMs) }),
      testLogger('gateway'),
      { verifier: verifierFor(keys.jwks) },
    );
  };
  const opened: Connection[] = [];
  const connection = (url: string) => {
    const c = new Connection(url);
    opened.push(c);
    return c;
  };
  afterEach(() => opened.splice(0).forEach((c) => c.destroy()));
  /** Resolves once the gateway refuses new connections (its drain began). */
  const refusing = async (url: string) => {
    for (let i = 0; i < 200; i++) {
      if ((await connection(url).get('/v1/nowhere')) === 'reset') return;
      await sleep(10);
    }
    throw new Error('the gateway kept accepting connections');
  };

  it('answers a request on a connection idle since before the drain 503 with Connection: close, and ends once no connection is left', async () => {
    const gateway: RunningService = await start(3000);
    const idle = connection(gateway.httpUrl);
    expect(await idle.get('/v1/nowhere')).toMatchObject({ status: 404 });

    const began = Date.now();
    const closing = gateway.close();
    await refusing(gateway.httpUrl);

    const answer = await idle.get('/v1/nowhere');
    expect(answer).not.toBe('reset');
    if (answer === 'reset') return;
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(answer.head).toContain('retry-after: 1');
    expect(answer.head).toContain('connection: close');
    await sleep(50);
    expect(idle.closed).toBe(true);

    // its last connection closed, the drain ends before the bound
    await closing;
    expect(Date.now() - began).toBeLessThan(3000);
  });

  it('closes a connection its client leaves idle after the bound', async () => {
    const gateway: RunningService = await start(800);
    const idle = connection(gateway.httpUrl);
    expect(await idle.get('/v1/nowhere')).toMatchObject({ status: 404 });
    const began = Date.now();
    await gateway.close();
    expect(Date.now() - began).toBeGreaterThanOrEqual(800);
    await sleep(50);
    expect(idle.closed).toBe(true);
  });

  it('with no bound, closes a connection idle since before the drain under the client', async () => {
    const gateway: RunningService = await start(0);
    const idle = connection(gateway.httpUrl);
    expect(await idle.get('/v1/nowhere')).toMatchObject({ status: 404 });
    await gateway.close();
    // the client's next request on it finds the connection gone, unanswered
    expect(await idle.get('/v1/nowhere')).toBe('reset');
  });
});
