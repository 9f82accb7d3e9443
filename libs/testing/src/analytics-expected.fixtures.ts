import type { analyticsV1 } from '@emporia/contracts';
import type { MonthOrder, MonthTruth } from './analytics-month';

// Hand-made ground truths for the calculator's specs.
export const NOW = new Date('2026-12-02T06:00:00Z'); // 14:00 in Shanghai
export const at = (iso: string) => new Date(iso);
export const A = '00000000-0000-4000-8000-00000000000a';
export const B = '00000000-0000-4000-8000-00000000000b';
export const P1 = '00000000-0000-4000-8000-0000000000p1'.replace('p1', '01');
export const P2 = P1.replace(/01$/, '02');
export const P3 = P1.replace(/01$/, '03');

export function order(o: Partial<MonthOrder> & { orderId: string; accountId: string }): MonthOrder {
  return {
    channel: 'web',
    placedAt: at('2026-11-20T02:00:00Z'),
    lines: [{ skuId: 'k1', productId: P1, quantity: 1, unitPriceMinor: 1000 }],
    totalMinor: 1000,
    paidAt: null,
    cancelledAt: null,
    refunds: [],
    ...o,
  };
}

export function ev(e: Partial<analyticsV1.BehaviourEvent>): analyticsV1.BehaviourEvent {
  return {
    eventId: '',
    type: 'page_view',
    anonymousId: 'v1',
    accountId: '',
    sessionId: 's1',
    occurredAt: '2026-11-20T01:00:00Z',
    receivedAt: '',
    channel: 'web',
    utm: { source: '', medium: '', campaign: '', term: '', content: '' },
    referrer: '',
    device: { type: 'mobile', os: '', browser: '' },
    page: '',
    productId: '',
    skuId: '',
    quantity: 0,
    query: '',
    resultCount: 0,
    bannerId: '',
    experimentKey: '',
    variant: '',
    ...e,
  };
}

export function truth(over: Partial<MonthTruth>): MonthTruth {
  return {
    now: NOW,
    timeZone: 'Asia/Shanghai',
    currency: 'CNY',
    days: [],
    products: [],
    stock: [],
    accounts: [],
    orders: [],
    behaviour: [],
    experiments: [],
    ...over,
  };
}
