import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from './fixtures';
import { REPO_ROOT } from './infrastructure';

/** The Redis settings the platform ships (deploy/local, Compose): an append-only file, no eviction. */
export const REDIS_PERSISTENCE_CONF = join(REPO_ROOT, 'deploy', 'redis', 'persistence.conf');

/** A Redis of one test's own, on a free port with a data directory of its own, to stop and restart. */
export interface OwnRedis {
  url: string;
  port: number;
  /** Stops it: `SIGTERM` (a clean shutdown) or `SIGKILL` (a crash). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and directory (what it kept is what a restart keeps). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

/**
 * Starts `redis-server` (the Debian binary the local servers use) for one test: the shared local
 * Redis is never stopped. `config` is a file of settings read first (e.g.
 * REDIS_PERSISTENCE_CONF); without one, Redis keeps nothing across a restart (`save ""`,
 * `appendonly no`).
 */
export async function startOwnRedis(config?: string): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'emporia-redis-'));
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  let child: ChildProcess | undefined;
  let out = '';
  const start = async () => {
    const args = [
      ...(config ? [config] : []),
      ...(config ? [] : ['--save', '', '--appendonly', 'no']),
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no'],
    ];
    const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-5000)));
    c.stderr?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-5000)));
    await eventually(
      async () => {
        if (c.exitCode !== null) throw new Error(`redis-server exited ${c.exitCode}:\n${out}`);
        return /Ready to accept connections/.test(out) ? true : undefined;
      },
      { timeoutMs: 15000, intervalMs: 50, what: `redis-server on ${port}` },
    );
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const c = child;
    child = undefined;
    out = '';
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async close() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
