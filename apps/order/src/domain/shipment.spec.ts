import { applyTracking, planShipments, ship, shipmentProgress, type Shipment } from './shipment';

const now = new Date('2026-11-25T10:00:00Z');
let n = 0;
const ids = () => `s${++n}`;

describe('shipments', () => {
  const planned = () =>
    planShipments(
      'o1',
      [
        { skuId: 'a', warehouseCode: 'SH', quantity: 2 },
        { skuId: 'b', warehouseCode: 'BJ', quantity: 1 },
        { skuId: 'a', warehouseCode: 'BJ', quantity: 1 },
      ],
      ids,
      now,
    );

  it('plans one shipment per warehouse', () => {
    const s = planned();
    expect(s.map((x) => [x.warehouseCode, x.lines])).toEqual([
      [
        'BJ',
        [
          { skuId: 'b', quantity: 1 },
          { skuId: 'a', quantity: 1 },
        ],
      ],
      ['SH', [{ skuId: 'a', quantity: 2 }]],
    ]);
    expect(shipmentProgress(s)).toBe('NONE_SHIPPED');
  });

  it('ships once, with a valid carrier and tracking number', () => {
    const [s] = planned();
    const shipped = ship(s, 'SF', 'SF123456', now);
    expect(shipped).toMatchObject({ status: 'SHIPPED', carrier: 'sf', trackingNumber: 'SF123456' });
    expect(() => ship(shipped, 'sf', 'SF123456', now)).toThrow(
      expect.objectContaining({ code: 'SHIPMENT_ALREADY_SHIPPED' }),
    );
    expect(() => ship(s, 'S F', 'SF123456', now)).toThrow(
      expect.objectContaining({ code: 'CARRIER_INVALID' }),
    );
    expect(() => ship(s, 'sf', '#1', now)).toThrow(
      expect.objectContaining({ code: 'TRACKING_NUMBER_INVALID' }),
    );
  });

  it('follows tracking: replays ignored, delivery final, exceptions recoverable', () => {
    const [a, b] = planned();
    let s: Shipment = ship(a, 'sf', 'SF000001', now);
    const ev = (eventId: string, status: 'IN_TRANSIT' | 'DELIVERED' | 'EXCEPTION', t: number) => ({
      eventId,
      status,
      description: '',
      occurredAt: new Date(now.getTime() + t),
    });
    s = applyTracking(s, ev('1', 'EXCEPTION', 1), now).shipment;
    expect(s.status).toBe('EXCEPTION');
    expect(applyTracking(s, ev('1', 'EXCEPTION', 1), now).changed).toBe(false);
    s = applyTracking(s, ev('2', 'DELIVERED', 3), now).shipment;
    s = applyTracking(s, ev('0', 'IN_TRANSIT', 0), now).shipment;
    expect(s.status).toBe('DELIVERED');
    expect(s.events.map((e) => e.eventId)).toEqual(['0', '1', '2']);
    expect(() => applyTracking(b, ev('9', 'IN_TRANSIT', 0), now)).toThrow(
      expect.objectContaining({ code: 'SHIPMENT_NOT_SHIPPED' }),
    );
    expect(shipmentProgress([s, b])).toBe('SOME_SHIPPED');
    expect(shipmentProgress([s, ship(b, 'sf', 'SF000002', now)])).toBe('ALL_SHIPPED');
    expect(shipmentProgress([s])).toBe('ALL_DELIVERED');
    // an exchange's replacement parcel is not the order's delivery
    const replacement = { ...b, id: 'r1', returnId: 'ret-1' };
    expect(shipmentProgress([s, replacement])).toBe('ALL_DELIVERED');
    expect(shipmentProgress([s, ship(replacement, 'sf', 'SF000003', now)])).toBe('ALL_DELIVERED');
  });
});
