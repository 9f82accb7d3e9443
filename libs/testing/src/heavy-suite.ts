import { createHash } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './infrastructure';

const LOCK = join(
  tmpdir(),
  `emporia-heavy-suite-${createHash('sha1').update(REPO_ROOT).digest('hex').slice(0, 12)}.lock`,
);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Waits until no other heavy suite of this checkout runs, then holds the machine's turn until
 * the returned release is called. The suites that start a whole platform under load (replicas:
 * 22 processes; chaos: a mixed load and faults) take it in `beforeAll`, so jest's two workers
 * never run two of them at once on a 2-core machine, where both would miss their deadlines.
 * A lock left by a process that died is taken over.
 */
export async function heavySuiteTurn(name: string): Promise<() => Promise<void>> {
  for (;;) {
    try {
      const f = await open(LOCK, 'wx');
      await f.writeFile(`${process.pid} ${name}\n`);
      await f.close();
      return async () => {
        const held = await readFile(LOCK, 'utf8').catch(() => '');
        if (held.startsWith(`${process.pid} `)) await unlink(LOCK).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number((await readFile(LOCK, 'utf8').catch(() => '')).split(' ')[0]);
      if (holder && !alive(holder)) await unlink(LOCK).catch(() => undefined);
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
