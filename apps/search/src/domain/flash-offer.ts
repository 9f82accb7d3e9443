/** A flash sale of one SKU, as marketing announced it. */
export interface FlashSaleRecord {
  saleId: string;
  skuId: string;
  productId: string;
  priceMinor: number;
  currency: string;
  startsAt: string;
  endsAt: string;
}

export interface FlashOffer extends FlashSaleRecord {
  active: boolean;
}

/**
 * The offer to show for a product: the cheapest sale running now, else the next to start;
 * none when every sale has ended.
 */
export function currentOffer(sales: readonly FlashSaleRecord[], now: Date): FlashOffer | undefined {
  const t = now.getTime();
  const running = sales
    .filter((s) => Date.parse(s.startsAt) <= t && t < Date.parse(s.endsAt))
    .sort((a, b) => a.priceMinor - b.priceMinor || a.saleId.localeCompare(b.saleId));
  if (running.length) return { ...running[0], active: true };
  const next = sales
    .filter((s) => Date.parse(s.startsAt) > t)
    .sort(
      (a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || a.saleId.localeCompare(b.saleId),
    );
  return next.length ? { ...next[0], active: false } : undefined;
}

/**
 * Milliseconds from `now` until the offer `currentOffer` picks from these sales may change: the
 * nearest start or end still ahead (Infinity when none is). A page showing these offers may be
 * answered again until then, and no longer.
 */
export function msUntilOffersChange(sales: readonly FlashSaleRecord[], now: Date): number {
  const t = now.getTime();
  let next = Infinity;
  for (const s of sales)
    for (const at of [Date.parse(s.startsAt), Date.parse(s.endsAt)])
      if (at > t && at - t < next) next = at - t;
  return next;
}
