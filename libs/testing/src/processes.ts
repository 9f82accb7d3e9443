import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from './fixtures';
import { REPO_ROOT } from './infrastructure';

export interface ServiceProcess {
  name: string;
  process: ChildProcess;
  output: () => string;
  /** SIGTERM, then waits for the exit code (SIGKILL after `graceMs`). */
  stop: (graceMs?: number) => Promise<number | null>;
}

/**
 * Starts `apps/<app>/src/main.ts` as its own process, as `npm start` does, and resolves once
 * `readyUrl` answers 200. The process's output is kept for failure messages.
 */
export async function startServiceProcess(
  app: string,
  env: Record<string, string>,
  readyUrl: string,
  args: string[] = [],
  timeoutMs = 60000,
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join('apps', app, 'src', 'main.ts'), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const svc: ServiceProcess = {
    name: app,
    process: child,
    output: () => out,
    stop: async (graceMs = 10000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}`);
        const res = await fetch(readyUrl).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      { timeoutMs, intervalMs: 200, what: `${app} ready at ${readyUrl}` },
    );
  } catch (e) {
    await svc.stop(2000);
    throw new Error(`${(e as Error).message}\n--- ${app} output ---\n${out}`);
  }
  return svc;
}

/**
 * Runs `apps/<app>/src/main.ts <args>` to completion (e.g. `migrate`), failing on a non-zero exit;
 * resolves with what it wrote to stdout.
 */
export async function runServiceCommand(
  app: string,
  env: Record<string, string>,
  args: string[],
): Promise<string> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join('apps', app, 'src', 'main.ts'), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let stdout = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
    stdout += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${app} ${args.join(' ')} exited with ${code}:\n${out}`);
  return stdout;
}
