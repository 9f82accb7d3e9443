import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { ThrottledWarning, withTimeout } from './fail-open';

describe('ThrottledWarning', () => {
  it('logs once per interval and reports how many it held back', () => {
    const logged: Record<string, unknown>[] = [];
    const logger = {
      warn: (fields: Record<string, unknown>) => logged.push(fields),
    } as unknown as Logger;
    let now = 1_000;
    const w = new ThrottledWarning(logger, 10_000, () => now);
    w.warn({ n: 1 }, 'down');
    w.warn({ n: 2 }, 'down');
    w.warn({ n: 3 }, 'down');
    now += 10_000;
    w.warn({ n: 4 }, 'down');
    expect(logged).toEqual([
      { n: 1, suppressed: 0 },
      { n: 4, suppressed: 2 },
    ]);
  });
});

describe('withTimeout', () => {
  it('answers with the promise in time, and rejects once the time is up', async () => {
    await expect(withTimeout(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(withTimeout(new Promise(() => undefined), 20)).rejects.toThrow(
      'no answer within 20 ms',
    );
  });

  it('lets an answer that arrived while the process was busy past the deadline win', async () => {
    // an echo server on another thread answers while this one is blocked
    const worker = new Worker(
      `const net = require('node:net');
       const { parentPort } = require('node:worker_threads');
       const server = net.createServer((c) => c.on('data', (d) => c.write(d)));
       server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`,
      { eval: true },
    );
    const port = await new Promise<number>((resolve) => worker.once('message', resolve));
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    try {
      const answer = new Promise<string>((resolve) =>
        socket.once('data', (d) => resolve(d.toString())),
      );
      socket.write('pong');
      const raced = withTimeout(answer, 20);
      const until = Date.now() + 80; // the event loop is blocked past the deadline
      while (Date.now() < until);
      await expect(raced).resolves.toBe('pong');
    } finally {
      socket.destroy();
      await worker.terminate();
    }
  });
});
