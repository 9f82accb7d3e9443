import { release } from '../domain/coupon';
import type { FlashSaleStore, MarketingTx } from './ports';

/**
 * Gives back everything a checkout held for an order that will not be paid (checkout failed,
 * order cancelled): its coupons become the owner's again, its flash-sale units return to the
 * pool (once per token, in Redis), its pending group seat is left. Idempotent.
 */
export async function releaseOrderHolds(
  tx: MarketingTx,
  flash: FlashSaleStore,
  orderId: string,
  now: Date,
): Promise<void> {
  for (const c of await tx.coupons.ofOrder(orderId, true)) {
    const released = release(c, orderId);
    if (released !== c) await tx.coupons.save(released, now);
  }
  const purchase = await tx.flash.purchaseOfOrder(orderId, true);
  if (purchase && purchase.status === 'ORDERED') {
    // Redis first: a failed commit redelivers, and the give-back counts once per token
    await flash.giveBack(purchase.saleId, purchase.token, purchase.accountId, purchase.quantity);
    await tx.flash.setPurchase(purchase.token, 'RETURNED', orderId, now);
  }
  const member = await tx.groups.memberOfOrder(orderId, true);
  if (member && member.status === 'PENDING') await tx.groups.setMemberStatus(orderId, 'LEFT', now);
}
