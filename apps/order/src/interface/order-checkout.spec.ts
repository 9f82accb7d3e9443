import type { orderV1 } from '@emporia/contracts';
import { anAddress, checkoutHarness } from '../testing';
import { OrderGrpcController } from './order.grpc-controller';

/**
 * Checkout at the gRPC boundary over the in-memory store: the answer carries the order's price
 * explanation from the checkout itself, placed now or replayed, with no read of the order back.
 */
describe('Checkout', () => {
  it('answers the order with its price explanation, without reading it back', async () => {
    const h = checkoutHarness();
    const unused = undefined as never;
    // no OrderLifecycleUseCase: a read of the order placed would fail here
    const grpc = new OrderGrpcController(
      unused,
      h.checkout,
      unused,
      unused,
      unused,
      unused,
      unused,
    );
    const input = h.input();
    const req: orderV1.CheckoutRequest = {
      accountId: input.accountId,
      checkoutKey: input.checkoutKey,
      address: { ...anAddress(), provinceCode: '', cityCode: '', districtCode: '' },
      couponCodes: input.couponCodes,
      ip: input.ip,
      deviceId: input.deviceId,
      channel: input.channel,
      flashToken: '',
      groupDealId: '',
      groupId: '',
      idempotencyKey: '',
      addressId: '',
      secondFactorAt: '',
    };
    const placed = await grpc.checkout(req);
    expect(placed.order).toMatchObject({
      id: input.checkoutKey,
      priceExplanation: ['coupon SAVE5'],
    });
    // a replay answers the same, its explanation read with the stored order
    expect(await grpc.checkout(req)).toEqual(placed);
  });
});
