import type { orderV1 } from '@emporia/contracts';
import { orderView, returnView } from './order-mappers';

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

describe('address codes (issue 24)', () => {
  const address: orderV1.Address = {
    recipient: '李雷',
    phone: '+8613800138000',
    country: 'CN',
    province: '上海市',
    city: '上海市',
    district: '浦东新区',
    line1: '世纪大道 100 号',
    line2: '',
    postalCode: '200120',
    provinceCode: '310000',
    cityCode: '310100',
    districtCode: '310115',
  };

  it("shows the GB/T 2260 codes the order service set on the order's address", () => {
    expect(orderView({ ...order, address }).address).toEqual({
      recipient: '李雷',
      phone: '+8613800138000',
      country: 'CN',
      province: '上海市',
      city: '上海市',
      district: '浦东新区',
      line1: '世纪大道 100 号',
      line2: '',
      postalCode: '200120',
      provinceCode: '310000',
      cityCode: '310100',
      districtCode: '310115',
    });
  });

  it('shows "" for codes not known (an address abroad, an older order)', () => {
    expect(
      orderView({
        ...order,
        address: { ...address, country: 'HK', provinceCode: '', cityCode: '', districtCode: '' },
      }).address,
    ).toMatchObject({ provinceCode: '', cityCode: '', districtCode: '' });
    expect(orderView(order).address).toMatchObject({
      provinceCode: '',
      cityCode: '',
      districtCode: '',
    });
  });
});

describe('return view (issue 24)', () => {
  const ret: orderV1.Return = {
    id: '0190a000-0000-7000-8000-0000000000c1',
    orderId: order.id,
    lines: [{ skuId: '0190a000-0000-7000-8000-0000000000b1', quantity: 1 }],
    reason: 'wrong size',
    status: 'DISPUTED',
    refund: undefined,
    note: 'a brick in the box',
    restocked: false,
    createdAt: '2026-11-12T00:00:00Z',
    updatedAt: '2026-11-13T00:00:00Z',
    kind: 'REFUND',
    itemsMismatch: true,
  };

  it("shows a disputed receipt with the warehouse's note and the mismatch flag", () => {
    expect(returnView(ret)).toMatchObject({
      status: 'DISPUTED',
      kind: 'REFUND',
      note: 'a brick in the box',
      itemsMismatch: true,
      refund: null,
      restocked: false,
    });
  });

  it('shows a refund-only return', () => {
    expect(
      returnView({
        ...ret,
        status: 'REFUNDED',
        kind: 'REFUND_ONLY',
        itemsMismatch: false,
        note: '',
        refund: { amountMinor: 8800, currency: 'CNY' },
      }),
    ).toMatchObject({
      status: 'REFUNDED',
      kind: 'REFUND_ONLY',
      itemsMismatch: false,
      note: null,
      refund: { amountMinor: 8800, currency: 'CNY' },
    });
  });
});
