import type { marketingV1 } from '@emporia/contracts';
import { AdminOrdersQuery } from './dto/order.dto';
import { ListFlashSalesQuery, PreviewPromotionDto } from './dto/marketing-admin.dto';
import { PageQuery } from './dto/query.dto';
import { FindAccountQuery } from './dto/user.dto';
import { flashSaleDetailView, previewToProto, promotionPreviewView } from './marketing-mappers';
import { validationPipe } from './validation';

const query = (metatype: new () => object, value: unknown) =>
  validationPipe.transform(value, { type: 'query', metatype });
const body = (metatype: new () => object, value: unknown) =>
  validationPipe.transform(value, { type: 'body', metatype });
const refused = (field: string) => ({
  status: 400,
  code: 'VALIDATION_FAILED',
  errors: expect.arrayContaining([expect.objectContaining({ field })]),
});

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const ACCOUNT = '0190a000-0000-7000-8000-0000000000a1';
const SKU = '0190a000-0000-7000-8000-0000000000d2';
const CATEGORY = '0190a000-0000-7000-8000-0000000000f1';

/** 满300减50, as PUT /v1/admin/promotions/{id} takes it. */
const draft = {
  name: '满300减50',
  scopeKind: 'CART',
  action: { kind: 'TIERED_REDUCTION', tiers: [{ threshold: cny(30000), off: cny(5000) }] },
  active: true,
};

/**
 * The shapes the operators' console routes take, checked at the edge before any backend call,
 * and their mapping to and from the services' messages.
 */
describe('operator console routes: request shapes', () => {
  it("lets a customer's order listing name no account and no status", async () => {
    await expect(query(PageQuery, { limit: '5' })).resolves.toEqual({ limit: 5 });
    await expect(query(PageQuery, { accountId: ACCOUNT })).rejects.toMatchObject(
      refused('accountId'),
    );
    await expect(query(PageQuery, { status: 'PAID' })).rejects.toMatchObject(refused('status'));
  });

  it("takes an operator's order filters: a known status, an account id, 1 to 100 a page", async () => {
    await expect(
      query(AdminOrdersQuery, {
        status: 'PENDING_REVIEW',
        accountId: ACCOUNT,
        limit: '100',
        cursor: 'abc',
      }),
    ).resolves.toEqual({ status: 'PENDING_REVIEW', accountId: ACCOUNT, limit: 100, cursor: 'abc' });
    await expect(query(AdminOrdersQuery, {})).resolves.toEqual({});
    for (const [q, field] of [
      [{ status: 'HELD' }, 'status'],
      [{ status: 'pending_review' }, 'status'],
      [{ accountId: 'me' }, 'accountId'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '101' }, 'limit'],
      [{ page: '2' }, 'page'],
    ] as const)
      await expect(query(AdminOrdersQuery, q)).rejects.toMatchObject(refused(field));
  });

  it('requires an identifier to find an account by', async () => {
    await expect(query(FindAccountQuery, { identifier: 'a@b.cn' })).resolves.toEqual({
      identifier: 'a@b.cn',
    });
    for (const q of [{}, { identifier: '' }, { identifier: 'x'.repeat(255) }])
      await expect(query(FindAccountQuery, q)).rejects.toMatchObject(refused('identifier'));
  });

  it('filters flash sales by SCHEDULED, LIVE or ENDED', async () => {
    await expect(query(ListFlashSalesQuery, { status: 'LIVE', limit: '3' })).resolves.toEqual({
      status: 'LIVE',
      limit: 3,
    });
    await expect(query(ListFlashSalesQuery, { status: 'SOLD_OUT' })).rejects.toMatchObject(
      refused('status'),
    );
  });

  it("previews PUT's body exactly, with a sample cart of 1 to 100 lines of 1 to 999 units", async () => {
    const line = { unitPrice: cny(32000), quantity: 1 };
    await expect(body(PreviewPromotionDto, { ...draft, lines: [line] })).resolves.toBeInstanceOf(
      PreviewPromotionDto,
    );
    for (const [b, field] of [
      [{ ...draft }, 'lines'],
      [{ ...draft, lines: [] }, 'lines'],
      [{ ...draft, lines: Array.from({ length: 101 }, () => line) }, 'lines'],
      [{ ...draft, lines: [{ ...line, quantity: 0 }] }, 'lines.0.quantity'],
      [{ ...draft, lines: [{ ...line, quantity: 1000 }] }, 'lines.0.quantity'],
      [{ ...draft, lines: [{ ...line, skuId: 'sku-1' }] }, 'lines.0.skuId'],
      [
        { ...draft, lines: [{ ...line, unitPrice: { amountMinor: 1.5, currency: 'CNY' } }] },
        'lines.0.unitPrice.amountMinor',
      ],
      [{ ...draft, lines: [{ ...line, productId: SKU }] }, 'lines.0.productId'],
      [{ ...draft, lines: [line], context: { at: 'tomorrow' } }, 'context.at'],
      [{ ...draft, lines: [line], id: SKU }, 'id'],
      // the draft's rules are PUT's: a name, an action
      [{ ...draft, name: '', lines: [line] }, 'name'],
      [{ ...draft, action: undefined, lines: [line] }, 'action'],
    ] as const)
      await expect(body(PreviewPromotionDto, b)).rejects.toMatchObject(refused(field));
  });
});

describe('operator console routes: mapping', () => {
  it('sends the draft as PUT sends a promotion, and the sample cart as PriceCart lines', () => {
    const sent = Object.assign(new PreviewPromotionDto(), {
      ...draft,
      priority: 3,
      lines: [
        { skuId: SKU, unitPrice: cny(20000), quantity: 1 },
        { categoryId: CATEGORY, unitPrice: cny(6000), quantity: 2 },
      ],
      context: { memberTier: 'GOLD', at: '2026-11-11T00:00:00+08:00' },
    });
    expect(previewToProto(sent)).toEqual({
      promotion: {
        id: '',
        name: '满300减50',
        priority: 3,
        exclusive: false,
        scopeKind: 'CART',
        scopeIds: [],
        conditions: [],
        action: expect.objectContaining({
          kind: 'TIERED_REDUCTION',
          tiers: [{ threshold: cny(30000), off: cny(5000) }],
        }),
        campaignId: '',
        startsAt: '',
        endsAt: '',
        active: true,
        couponOnly: false,
      },
      lines: [
        { skuId: SKU, productId: '', categoryPathIds: [], quantity: 1, unitPrice: cny(20000) },
        {
          skuId: '',
          productId: '',
          categoryPathIds: [CATEGORY],
          quantity: 2,
          unitPrice: cny(6000),
        },
      ],
      memberTier: 'GOLD',
      firstOrder: false,
      channel: '',
      at: '2026-11-11T00:00:00+08:00',
    });
  });

  it('answers the priced cart: each line with the ids it was sent with, the discounts by name', () => {
    const sent = Object.assign(new PreviewPromotionDto(), {
      ...draft,
      lines: [
        { skuId: SKU, unitPrice: cny(20000), quantity: 1 },
        { categoryId: CATEGORY, unitPrice: cny(6000), quantity: 2 },
      ],
    });
    const answer: marketingV1.PreviewPromotionResponse = {
      lines: [
        { skuId: SKU, quantity: 1, unitPrice: cny(20000), discount: cny(3125), total: cny(16875) },
        { skuId: '', quantity: 2, unitPrice: cny(6000), discount: cny(1875), total: cny(10125) },
      ],
      subtotal: cny(32000),
      discount: cny(5000),
      total: cny(27000),
      applied: [
        { promotionName: '满300减50', discount: cny(5000), explanation: '满300减50: −50.00 CNY' },
      ],
      gifts: [],
      inForce: true,
    };
    expect(promotionPreviewView(answer, sent)).toEqual({
      lines: [
        {
          skuId: SKU,
          categoryId: null,
          quantity: 1,
          unitPrice: cny(20000),
          discount: cny(3125),
          total: cny(16875),
        },
        {
          skuId: null,
          categoryId: CATEGORY,
          quantity: 2,
          unitPrice: cny(6000),
          discount: cny(1875),
          total: cny(10125),
        },
      ],
      subtotal: cny(32000),
      discount: cny(5000),
      total: cny(27000),
      discounts: [
        { promotionName: '满300减50', amount: cny(5000), explanation: '满300减50: −50.00 CNY' },
      ],
      gifts: [],
      inForce: true,
    });
  });

  it('shows a listed flash sale exactly as the single read shows it', () => {
    const detail: marketingV1.FlashSaleDetail = {
      sale: {
        id: '0190a000-0000-7000-8000-0000000000e1',
        skuId: SKU,
        price: cny(9900),
        stock: 10,
        perUserLimit: 2,
        startsAt: '2026-11-11T00:00:00.000Z',
        endsAt: '2026-11-11T01:00:00.000Z',
      },
      reconciliation: { redisRemaining: 7, held: 3, paid: 1, drift: 0 },
    };
    const single: marketingV1.GetFlashSaleResponse = { ...detail };
    expect(flashSaleDetailView(detail)).toEqual(flashSaleDetailView(single));
    expect(flashSaleDetailView(detail)).toMatchObject({
      price: cny(9900),
      reconciliation: { redisRemaining: 7, held: 3, paid: 1, drift: 0 },
    });
  });
});
