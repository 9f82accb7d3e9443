import 'reflect-metadata';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { z } from 'zod';
import { createLogger } from './logger';
import {
  defineService,
  launchService,
  runCommand,
  type Assembly,
  type ResourceSpec,
} from './service-kit';

/** A service of fake resources that writes down what happens to them, in order. */
function recordingService(
  events: string[],
  assembly: Partial<Assembly> = {},
  opts: { sweepLock?: boolean } = {},
) {
  const resource = (name: string, kind: 'client' | 'database'): ResourceSpec<string> => ({
    kind,
    async open() {
      events.push(`open ${name}`);
      return {
        value: `${name}-handle`,
        check: async () => undefined,
        close: async () => void events.push(`close ${name}`),
        ...(kind === 'database' && opts.sweepLock !== false
          ? {
              sweepLock: () => ({
                tryAcquire: async () => true,
                close: async () => void events.push('sweep locks released'),
              }),
            }
          : {}),
      };
    },
    ...(kind === 'database'
      ? { commands: { migrate: async (args) => void events.push(`migrate ${args.join(' ')}`) } }
      : {}),
  });

  @Injectable()
  class ServerProbe implements OnApplicationShutdown {
    onApplicationShutdown(): void {
      events.push('servers closed');
    }
  }

  return defineService({
    name: 'kit-spec',
    config: z.object({ LOG_LEVEL: z.string().default('silent') }),
    http: () => ({ host: '127.0.0.1', port: 0 }),
    // declared first, so closed last of all: databases close after every client
    resources: () => ({
      db: resource('db', 'database'),
      cache: resource('cache', 'client'),
      broker: resource('broker', 'client'),
      absent: undefined,
    }),
    assemble: ({ resources }) => {
      events.push(`assemble ${resources.db} ${resources.cache} ${String(resources.absent)}`);
      return {
        providers: [ServerProbe],
        workers: [
          {
            start: () => void events.push('worker started'),
            stop: async () => void events.push('worker stopped'),
          },
        ],
        ready: async () => void events.push('ready'),
        consumers: () => [
          {
            start: async () => void events.push('consumer started'),
            stop: async () => void events.push('consumer stopped'),
          },
        ],
        ...assembly,
      };
    },
  });
}

const logger = createLogger('kit-spec', 'silent');

describe('the service kit', () => {
  it('starts resources, servers, workers, ready, sweeps, consumers; stops intake first, databases last', async () => {
    const events: string[] = [];
    let swept!: () => void;
    const sweptOnce = new Promise<void>((resolve) => (swept = resolve));
    const def = recordingService(events, {
      sweeps: () => [
        {
          name: 'tidy',
          everyMs: 10,
          run: async () => {
            if (!events.includes('swept')) events.push('swept');
            swept();
          },
        },
      ],
    });
    const service = await launchService(def, { LOG_LEVEL: 'silent' }, logger);
    expect(events).toEqual([
      'open db',
      'open cache',
      'open broker',
      'assemble db-handle cache-handle undefined',
      'worker started',
      'ready',
      'consumer started',
    ]);
    // every resource's check is on /readyz, under the resource's name
    const ready = await fetch(`${service.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: { db: 'ok', cache: 'ok', broker: 'ok' },
    });
    await sweptOnce;
    events.length = 0;
    await service.close();
    expect(events).toEqual([
      'consumer stopped',
      'sweep locks released',
      'worker stopped',
      'servers closed',
      'close broker',
      'close cache',
      'close db',
    ]);
    // a second close (a signal during a test's close) does not stop anything twice
    await service.close();
    expect(events.filter((e) => e === 'close db')).toHaveLength(1);
  });

  it('a start that fails closes what it opened, in the same order, and throws', async () => {
    const events: string[] = [];
    const def = recordingService(events, {
      consumers: () => [
        {
          start: async () => Promise.reject(new Error('group coordinator not available')),
          stop: async () => void events.push('consumer stopped'),
        },
      ],
    });
    await expect(launchService(def, { LOG_LEVEL: 'silent' }, logger)).rejects.toThrow(
      'group coordinator not available',
    );
    expect(events.slice(events.indexOf('ready') + 1)).toEqual([
      'worker stopped',
      'servers closed',
      'close broker',
      'close cache',
      'close db',
    ]);
  });

  it('refuses sweeps without a database to hold their locks (they would run on every replica)', async () => {
    const events: string[] = [];
    const def = recordingService(
      events,
      { sweeps: () => [{ name: 'tidy', everyMs: 10, run: async () => undefined }] },
      { sweepLock: false },
    );
    await expect(launchService(def, { LOG_LEVEL: 'silent' }, logger)).rejects.toThrow(
      'kit-spec: sweeps run once across replicas: declare a postgres resource',
    );
    expect(events).toContain('close db');
  });

  it('main.ts commands: a resource brings its own (migrate); an unknown one is named', async () => {
    const events: string[] = [];
    const def = recordingService(events);
    await runCommand(def, ['migrate', '--dry-run'], {});
    expect(events).toEqual(['migrate --dry-run']);
    await expect(runCommand(def, ['frobnicate'], {})).rejects.toThrow(
      "kit-spec: unknown command 'frobnicate' (commands: start, migrate)",
    );
  });

  it('main.ts with a bad variable names it before anything opens', async () => {
    const events: string[] = [];
    const def = defineService({
      name: 'kit-spec',
      config: z.object({ PORT: z.coerce.number().int() }),
      http: (c) => ({ host: '127.0.0.1', port: c.PORT }),
      assemble: () => {
        events.push('assemble');
        return {};
      },
    });
    await expect(runCommand(def, [], { PORT: 'eighty' })).rejects.toThrow(/PORT/);
    expect(events).toEqual([]);
  });
});
