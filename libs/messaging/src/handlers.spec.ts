import { randomUUID } from 'node:crypto';
import { ORDER_ORDER, USER_ACCOUNT, type EventType } from '@emporia/contracts';
import { currentContext } from '@emporia/platform';
import { NonRetriableError, newEvent, type ReceivedEvent } from './event';
import { eventHandler, on } from './handlers';

const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function received<T>(type: EventType<T>, message: T, extra: Partial<ReceivedEvent> = {}) {
  const row = newEvent(type, `it.${type.topic}`, 'key-1', message);
  return {
    topic: row.topic,
    key: row.key,
    value: Buffer.from(row.payload),
    headers: {},
    eventId: randomUUID(),
    eventType: row.type,
    occurredAt: new Date().toISOString(),
    traceparent: TRACE,
    partition: 0,
    offset: '0',
    ...extra,
  } satisfies ReceivedEvent;
}

const paid = {
  orderId: 'o-1',
  accountId: 'a-1',
  amountPaid: { amountMinor: 4200, currency: 'EUR' },
  paidAt: '2026-01-02T03:04:05.000Z',
};
const frozen = { accountId: 'a-1', reason: 'fraud', frozenAt: '2026-01-02T03:04:05.000Z' };

describe('eventHandler', () => {
  it('hands each handler its decoded payload, in the context of its traceparent', async () => {
    const seen: unknown[] = [];
    const handle = eventHandler(
      on(ORDER_ORDER, {
        OrderPaid: async (m, event, ctx) => {
          seen.push(['paid', m, event.key, ctx.traceId, currentContext()?.traceId]);
        },
      }),
      on(USER_ACCOUNT, {
        AccountFrozen: async (m) => {
          seen.push(['frozen', m]);
        },
      }),
    );
    await handle(received(ORDER_ORDER.events.OrderPaid, paid));
    await handle(received(USER_ACCOUNT.events.AccountFrozen, frozen));
    expect(seen).toEqual([
      [
        'paid',
        paid,
        'key-1',
        '0af7651916cd43dd8448eb211c80319c',
        '0af7651916cd43dd8448eb211c80319c',
      ],
      ['frozen', frozen],
    ]);
  });

  it('skips types without a handler and types it does not know', async () => {
    const calls: string[] = [];
    const handle = eventHandler(
      on(ORDER_ORDER, {
        OrderPaid: async (m) => {
          calls.push(m.orderId);
        },
      }),
    );
    const refunded = received(ORDER_ORDER.events.OrderRefunded, {
      orderId: 'o-2',
      accountId: 'a-1',
      refundId: 'r-1',
      amountRefunded: undefined,
      refundedAt: '',
      full: false,
    });
    await handle(refunded);
    await handle({ ...refunded, eventType: 'emporia.order.v9.Unknown' });
    expect(calls).toEqual([]);
  });

  it('sends an undecodable payload to the DLQ at once (NonRetriableError)', async () => {
    const handle = eventHandler(on(ORDER_ORDER, { OrderPaid: async () => undefined }));
    const garbage = { ...received(ORDER_ORDER.events.OrderPaid, paid), value: Buffer.from([0xff]) };
    await expect(handle(garbage)).rejects.toThrow(NonRetriableError);
    await expect(handle(garbage)).rejects.toThrow(/cannot decode emporia.order.v1.OrderPaid/);
  });

  it('lets a handler failure through for the consumer to classify', async () => {
    const boom = new Error('database down');
    const handle = eventHandler(
      on(ORDER_ORDER, {
        OrderPaid: async () => {
          throw boom;
        },
      }),
    );
    await expect(handle(received(ORDER_ORDER.events.OrderPaid, paid))).rejects.toBe(boom);
  });

  it('refuses two handlers of one event type', () => {
    const h = on(ORDER_ORDER, { OrderPaid: async () => undefined });
    expect(() => eventHandler(h, h)).toThrow(/emporia.order.v1.OrderPaid has two handlers/);
  });
});

describe('newEvent', () => {
  it('writes the registered type name and the encoded payload', () => {
    const row = newEvent(ORDER_ORDER.events.OrderPaid, 'p.order.order', 'o-1', paid);
    expect(row.type).toBe('emporia.order.v1.OrderPaid');
    expect(ORDER_ORDER.events.OrderPaid.codec.decode(row.payload)).toEqual(paid);
  });

  it('refuses a topic the event type is not registered on', () => {
    expect(() => newEvent(ORDER_ORDER.events.OrderPaid, 'p.user.account', 'o-1', paid)).toThrow(
      /belongs on topic order.order/,
    );
  });
});
