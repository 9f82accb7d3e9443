import type { Redis } from 'ioredis';
import { counter, gauge, type Logger } from '@emporia/platform';

const persistent = gauge(
  'emporia_idempotency_store_persistent',
  "1 when the gateway's Redis keeps an append-only file (aof_enabled), so Idempotency-Key records survive its restart; 0 when they do not; -1 when Redis does not say (INFO refused)",
  [],
);
const lost = counter(
  'emporia_idempotency_records_lost_total',
  'Times the gateway found its Redis had lost its Idempotency-Key records (restarted without persistence, flushed, or evicting keys): repeats of earlier requests then run again',
  [],
);

/**
 * Watches whether the idempotency records can survive and whether they did:
 * - at start, `INFO persistence`: without an append-only file (`aof_enabled:0`) a Redis restart
 *   loses every record; the gateway says so in a warning and `emporia_idempotency_store_persistent`;
 * - a marker key without expiry, written once; each time the connection comes back, a missing
 *   marker means Redis lost the records (restarted empty, flushed, or evicted): an error log and
 *   `emporia_idempotency_records_lost_total`, then a new marker. Returns the check, for tests.
 */
export function watchRedisDurability(
  redis: Redis,
  prefix: string,
  logger: Logger,
): { checked: () => Promise<void> } {
  const marker = `${prefix}idem:marker`;
  let last: Promise<void> = Promise.resolve();
  const placeMarker = () => redis.set(marker, new Date().toISOString(), 'NX');
  const inspect = async () => {
    try {
      const info = await redis.info('persistence');
      const aof = /^aof_enabled:(\d)/m.exec(info)?.[1];
      persistent.set(aof === undefined ? -1 : Number(aof));
      if (aof === '0')
        logger.warn(
          'Redis keeps no append-only file (appendonly no): a Redis restart loses every Idempotency-Key record (see README, Deployment: Redis)',
        );
    } catch {
      persistent.set(-1);
    }
  };
  let first = true;
  const onReady = () => {
    last = (async () => {
      try {
        if (first) {
          first = false;
          await inspect();
          await placeMarker();
          return;
        }
        if ((await placeMarker()) === 'OK') {
          lost.inc();
          logger.error(
            'Redis lost the Idempotency-Key records (restarted without persistence, flushed or evicting): repeats of earlier requests run again',
          );
        }
      } catch {
        // Redis went away again; the next 'ready' looks again
      }
    })();
  };
  redis.on('ready', onReady);
  if (redis.status === 'ready') onReady();
  return { checked: () => last };
}
