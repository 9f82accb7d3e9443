import { randomUUID } from 'node:crypto';
import { ORDER_ORDER, type EventType } from '@emporia/contracts';
import { eventHandler, newEvent, type ReceivedEvent } from '@emporia/messaging';
import { ReturnHistoryUseCase } from '../application/return-history.use-case';
import { FakeClock, InMemoryReturnFactStore } from '../testing';
import { orderEventsRoute } from './order-events.consumer';

/** The `order.order` route of risk: decoded events to return-history facts. */
describe('order events consumer (return history)', () => {
  const setup = () => {
    const clock = new FakeClock();
    const facts = new InMemoryReturnFactStore();
    const handle = eventHandler(orderEventsRoute(new ReturnHistoryUseCase(facts, clock)));
    const received = <T>(type: EventType<T>, message: T, eventId = randomUUID()) => {
      const row = newEvent(type, 'order.order', 'order-1', message);
      return {
        topic: row.topic,
        key: row.key,
        value: Buffer.from(row.payload),
        headers: {},
        eventId,
        eventType: row.type,
        occurredAt: '2026-11-25T09:00:00.000Z',
        partition: 0,
        offset: '0',
      } satisfies ReceivedEvent;
    };
    return { clock, facts, handle, received };
  };
  const tracked = {
    orderId: 'order-1',
    accountId: 'acc-1',
    shipmentId: 'sh-1',
    status: 'DELIVERED',
    description: 'signed for',
    occurredAt: '2026-11-24T08:00:00.000Z',
    lineCount: 3,
    replacement: false,
  };
  const settled = {
    returnId: 'ret-1',
    orderId: 'order-1',
    accountId: 'acc-1',
    kind: 'EXCHANGE',
    lineCount: 2,
    unitCount: 5,
    itemsMismatch: true,
    settledAt: '2026-11-24T09:00:00.000Z',
  };

  it('records a first delivery and a settled return, each once, at the time they happened', async () => {
    const { facts, handle, received } = setup();
    const delivery = received(ORDER_ORDER.events.ShipmentTracked, tracked);
    await handle(delivery);
    await handle(delivery); // redelivered
    await handle(received(ORDER_ORDER.events.ShipmentTracked, tracked)); // repeated by the carrier
    await handle(received(ORDER_ORDER.events.ReturnSettled, settled));
    await handle(received(ORDER_ORDER.events.ReturnSettled, settled));
    expect(
      [...facts.facts.values()].map((f) => [f.id, f.kind, f.lines, f.occurredAt.toISOString()]),
    ).toEqual([
      ['DELIVERED:sh-1', 'DELIVERED', 3, '2026-11-24T08:00:00.000Z'],
      ['RETURNED:ret-1', 'RETURNED', 2, '2026-11-24T09:00:00.000Z'],
      ['EXCHANGE:ret-1', 'EXCHANGE', 1, '2026-11-24T09:00:00.000Z'],
      ['ITEMS_MISMATCH:ret-1', 'ITEMS_MISMATCH', 1, '2026-11-24T09:00:00.000Z'],
    ]);
  });

  it('skips tracking that is no first delivery, and types it does not use', async () => {
    const { facts, handle, received } = setup();
    // not a delivery: not even a bad time is looked at
    await handle(
      received(ORDER_ORDER.events.ShipmentTracked, {
        ...tracked,
        status: 'IN_TRANSIT',
        occurredAt: 'soon',
      }),
    );
    await handle(received(ORDER_ORDER.events.ShipmentTracked, { ...tracked, replacement: true }));
    await handle(
      received(ORDER_ORDER.events.OrderPaid, {
        orderId: 'order-1',
        accountId: 'acc-1',
        amountPaid: { amountMinor: 100, currency: 'CNY' },
        paidAt: '2026-11-25T10:00:00Z',
      }),
    );
    expect(facts.facts.size).toBe(0);
  });

  it('without its own time an event counts when it was published', async () => {
    const { facts, handle, received } = setup();
    await handle(received(ORDER_ORDER.events.ReturnSettled, { ...settled, settledAt: '' }));
    expect(facts.facts.get('RETURNED:ret-1')?.occurredAt.toISOString()).toBe(
      '2026-11-25T09:00:00.000Z',
    );
  });

  it('refuses an event it cannot record: a bad time at once, a bad kind as a coded error', async () => {
    const { facts, handle, received } = setup();
    await expect(
      handle(received(ORDER_ORDER.events.ReturnSettled, { ...settled, settledAt: 'yesterday' })),
    ).rejects.toMatchObject({
      name: 'NonRetriableError',
      message: expect.stringContaining('settled_at is not a timestamp'),
    });
    await expect(
      handle(received(ORDER_ORDER.events.ReturnSettled, { ...settled, kind: 'STORE_CREDIT' })),
    ).rejects.toMatchObject({ code: 'RETURN_EVENT_INVALID' });
    await expect(
      handle(received(ORDER_ORDER.events.ShipmentTracked, { ...tracked, accountId: '' })),
    ).rejects.toMatchObject({ code: 'RETURN_EVENT_INVALID' });
    expect(facts.facts.size).toBe(0);
  });

  it('records a cancelled order once, at its cancellation time (the fraud model’s cancel rate)', async () => {
    const { facts, handle, received } = setup();
    const cancelled = received(ORDER_ORDER.events.OrderCancelled, {
      orderId: 'order-1',
      accountId: 'acc-1',
      reason: 'CUSTOMER',
      cancelledAt: '2026-11-24T07:00:00.000Z',
      couponCodes: [],
    });
    await handle(cancelled);
    await handle(cancelled); // redelivered
    await handle(
      received(ORDER_ORDER.events.OrderCancelled, {
        orderId: 'order-2',
        accountId: 'acc-1',
        reason: 'PAYMENT_TIMEOUT',
        cancelledAt: '',
        couponCodes: [],
      }),
    );
    expect(
      [...facts.facts.values()].map((f) => [f.id, f.kind, f.occurredAt.toISOString()]),
    ).toEqual([
      ['CANCELLED:order-1', 'CANCELLED', '2026-11-24T07:00:00.000Z'],
      ['CANCELLED:order-2', 'CANCELLED', '2026-11-25T09:00:00.000Z'],
    ]);
  });
});
