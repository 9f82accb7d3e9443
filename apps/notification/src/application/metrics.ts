import { counter } from '@emporia/platform';
import type { Delivery } from '../domain/delivery';

const deliveries = counter(
  'emporia_notification_deliveries_total',
  'Deliveries entering a status, by channel and status',
  ['channel', 'status'],
);
const deadLetters = counter(
  'emporia_notification_dead_letters_total',
  'Deliveries that became DEAD (every retry failed, or a permanent refusal), by channel',
  ['channel'],
);

/** Counts a delivery that entered its current status. */
export function countDelivery(d: Pick<Delivery, 'channel' | 'status'>): void {
  deliveries.inc({ channel: d.channel, status: d.status });
  if (d.status === 'DEAD') deadLetters.inc({ channel: d.channel });
}
