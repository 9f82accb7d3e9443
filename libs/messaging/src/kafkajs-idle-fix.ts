import { createRequire } from 'node:module';

/** The kafkajs release this fix is written against (the last one: kafkajs is unmaintained). */
export const KAFKAJS_FIXED_VERSION = '2.2.4';
/** kafkajs's own interval for a queue with requests waiting and no throttle. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/**
 * Stops kafkajs's idle busy loop. In kafkajs 2.2.4 every broker connection's request queue
 * checks its pending requests whenever a response arrives and then always schedules the next
 * check: with nothing pending and no throttle the delay is `throttledUntil - now`, which is
 * negative, so `setTimeout` fires after 1 ms and the check schedules itself again, forever
 * (tulios/kafkajs#1556, #1604, #1704; the fixes #1667 and #1768 were never released). Each
 * idle process woke about a thousand times a second and spent 12–18 ms of CPU per second on it,
 * most of the CPU an idle Emporia service used.
 *
 * The fixed scheduling is #1768's as its review proposes: requests waiting are checked again at
 * the end of the throttle or after kafkajs's 10 ms; a throttle still running is waited for even
 * with nothing waiting; and nothing at all is scheduled when nothing waits and no throttle runs.
 * Nothing is lost by that: a request that cannot be sent at once is queued by `push`, which
 * schedules a check then, and every response checks the queue again.
 *
 * Applied once, when this module is loaded (libs/messaging loads it with its Kafka clients), and
 * only to that release: another version's queue is left as it is (the unit test then fails, to
 * say this needs a look).
 */
export function fixKafkajsIdleLoop(): boolean {
  const load = createRequire(__filename);
  const version = (load('kafkajs/package.json') as { version: string }).version;
  if (version !== KAFKAJS_FIXED_VERSION) return false;
  const RequestQueue = load('kafkajs/src/network/requestQueue') as {
    prototype: RequestQueueLike;
  };
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    if (this.throttleCheckTimeoutId) return;
    let delay = this.throttledUntil - Date.now();
    if (this.pending.length > 0) delay = delay > 0 ? delay : CHECK_PENDING_REQUESTS_INTERVAL;
    else if (delay <= 0) return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
  return true;
}

export const kafkajsIdleLoopFixed = fixKafkajsIdleLoop();
