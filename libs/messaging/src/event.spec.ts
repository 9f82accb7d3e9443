import { ORDER_ORDER } from '@emporia/contracts';
import { HEADER, newEvent, PROTOBUF_CONTENT_TYPE, toWireMessage } from './event';

const paid = {
  orderId: 'o-1',
  accountId: 'a-1',
  amountPaid: { amountMinor: 4200, currency: 'EUR' },
  paidAt: '2026-01-02T03:04:05.000Z',
};

describe('toWireMessage', () => {
  it('carries an event id given to newEvent as the event-id header, with the other headers', () => {
    const id = '0b9d3c52-62f5-4a5c-9d6e-0f2d1c7d9e11';
    const at = new Date('2026-12-01T10:00:00.000Z');
    const wire = toWireMessage(
      newEvent(ORDER_ORDER.events.OrderPaid, 'p.order.order', 'o-1', paid, {
        eventId: id,
        occurredAt: at,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      }),
    );
    expect(wire.topic).toBe('p.order.order');
    expect(wire.key).toBe('o-1');
    expect(wire.headers).toEqual({
      [HEADER.eventId]: id,
      [HEADER.eventType]: 'emporia.order.v1.OrderPaid',
      [HEADER.occurredAt]: at.toISOString(),
      [HEADER.contentType]: PROTOBUF_CONTENT_TYPE,
      [HEADER.traceparent]: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(ORDER_ORDER.events.OrderPaid.codec.decode(wire.value)).toEqual(paid);
  });

  it('gives an event without an id a fresh UUID, a different one each time', () => {
    const e = newEvent(ORDER_ORDER.events.OrderPaid, 'p.order.order', 'o-1', paid);
    const a = toWireMessage(e).headers[HEADER.eventId];
    const b = toWireMessage(e).headers[HEADER.eventId];
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});
