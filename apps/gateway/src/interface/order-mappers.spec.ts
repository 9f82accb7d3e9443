import type { orderV1 } from '@emporia/contracts';
import { orderView } from './order-mappers';

const order: orderV1.Order = {
  id: '0190a000-0000-7000-8000-0000000000e1',
  accountId: '0190a000-0000-7000-8000-0000000000aa',
  status: 'PENDING_PAYMENT',
  lines: [],
  subtotal: { amountMinor: 2990, currency: 'CNY' },
  discount: { amountMinor: 0, currency: 'CNY' },
  shipping: { amountMinor: 0, currency: 'CNY' },
  total: { amountMinor: 2990, currency: 'CNY' },
  address: undefined,
  riskDecision: 'ALLOW',
  riskReasons: [],
  paymentDeadline: '2026-11-11T00:15:00Z',
  cancelReason: '',
  paidAt: '',
  createdAt: '2026-11-11T00:00:00Z',
  updatedAt: '2026-11-11T00:00:00Z',
  version: 1,
  priceExplanation: [],
  groupId: '',
  groupStatus: '',
};

describe('order view', () => {
  it('shows the group of a group-buy order, and null for other orders', () => {
    expect(orderView(order)).toMatchObject({ groupId: null, groupStatus: null });
    expect(
      orderView({
        ...order,
        groupId: '0190a000-0000-7000-8000-0000000000f1',
        groupStatus: 'PENDING',
      }),
    ).toMatchObject({ groupId: '0190a000-0000-7000-8000-0000000000f1', groupStatus: 'PENDING' });
  });
});
