import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, freePort } from './fixtures';
import { REPO_ROOT } from './infrastructure';

/**
 * A typed client of Toxiproxy's REST API (github.com/Shopify/toxiproxy, v2.5.0): a few fetch
 * calls. The npm clients (toxiproxy-node-client) lag the server's API and add nothing the tests
 * need, so none is a dependency.
 */

/** Toxics the chaos suite uses (Toxiproxy has more: bandwidth, slicer, limit_data, ...). */
export type Toxic =
  | { type: 'latency'; attributes: { latency: number; jitter?: number } }
  /** Connections are reset (RST) after `timeout` ms (0: at once). */
  | { type: 'reset_peer'; attributes: { timeout: number } }
  /** Data stops flowing; the connection closes after `timeout` ms (0: never: a partition). */
  | { type: 'timeout'; attributes: { timeout: number } };

export interface ToxiproxyProxy {
  readonly name: string;
  /** The port clients connect to, on 127.0.0.1. */
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's (a database, Redis URL). */
  url(url: string): string;
  /** Adds a toxic to the traffic in both directions (`downstream` and `upstream`); returns its names. */
  addToxic(name: string, toxic: Toxic, toxicity?: number): Promise<string[]>;
  /** Removes every toxic. */
  clearToxics(): Promise<void>;
  /** A cut: open connections are closed and new ones refused (`enabled: false`); `restore` ends it. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  remove(): Promise<void>;
}

export interface Toxiproxy {
  readonly apiUrl: string;
  /**
   * A proxy on 127.0.0.1 to `upstream` ("host:port"), listening on `listenPort` when given (a
   * port a server advertises, such as Kafka's proxied listener), else on a free port.
   */
  proxy(name: string, upstream: string, listenPort?: number): Promise<ToxiproxyProxy>;
  /** Every proxy back to plain pass-through (toxics removed, enabled). */
  reset(): Promise<void>;
}

async function call(
  apiUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`toxiproxy ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A client of the Toxiproxy server whose API answers at `apiUrl`. */
export function toxiproxyClient(apiUrl: string): Toxiproxy {
  return {
    apiUrl,
    async proxy(name, upstream, listenPort) {
      const port = listenPort ?? (await freePort());
      await call(apiUrl, 'POST', '/proxies', {
        name,
        listen: `127.0.0.1:${port}`,
        upstream,
        enabled: true,
      });
      const path = `/proxies/${encodeURIComponent(name)}`;
      const toxics: string[] = [];
      return {
        name,
        port,
        url(url: string) {
          const u = new URL(url);
          u.hostname = '127.0.0.1';
          u.port = String(port);
          return u.toString();
        },
        async addToxic(toxicName, toxic, toxicity = 1) {
          const names = [];
          for (const stream of ['downstream', 'upstream'] as const) {
            const n = `${toxicName}-${stream}`;
            await call(apiUrl, 'POST', `${path}/toxics`, { name: n, stream, toxicity, ...toxic });
            toxics.push(n);
            names.push(n);
          }
          return names;
        },
        async clearToxics() {
          for (const n of toxics.splice(0))
            await call(apiUrl, 'DELETE', `${path}/toxics/${encodeURIComponent(n)}`);
        },
        async cut() {
          await call(apiUrl, 'POST', path, { enabled: false });
        },
        async restore() {
          await call(apiUrl, 'POST', path, { enabled: true });
        },
        async remove() {
          await call(apiUrl, 'DELETE', path);
        },
      };
    },
    async reset() {
      await call(apiUrl, 'POST', '/reset');
    },
  };
}

/** Where tools/go-tools.sh builds the server. */
export const TOXIPROXY_SERVER_BIN = join(REPO_ROOT, '.local', 'bin', 'toxiproxy-server');

/** A Toxiproxy server of one test's own (its API on a free port), stopped by `close`. */
export interface OwnToxiproxy extends Toxiproxy {
  close(): Promise<void>;
}

/**
 * Starts `toxiproxy-server` for one test (building it first with tools/go-tools.sh when it is
 * missing): a child of the test, on 127.0.0.1, gone with it. `npm run chaos` runs its own
 * through deploy/local/toxiproxy.sh instead.
 */
export async function startOwnToxiproxy(): Promise<OwnToxiproxy> {
  if (!existsSync(TOXIPROXY_SERVER_BIN))
    execFileSync('bash', [join(REPO_ROOT, 'tools', 'go-tools.sh'), 'toxiproxy'], {
      stdio: 'inherit',
    });
  const port = await freePort();
  const child: ChildProcess = spawn(
    TOXIPROXY_SERVER_BIN,
    ['-host', '127.0.0.1', '-port', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let out = '';
  child.stderr?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-4000)));
  const apiUrl = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`toxiproxy-server exited:\n${out}`);
      return (await fetch(`${apiUrl}/version`).catch(() => undefined))?.ok ? true : undefined;
    },
    { what: 'toxiproxy-server', timeoutMs: 15000, intervalMs: 50 },
  );
  return {
    ...toxiproxyClient(apiUrl),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
