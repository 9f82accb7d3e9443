import { aLine, aSkuInput, catalogHarness } from '../testing';

/**
 * Reservation rules through the use case against the in-memory unit of work: all lines or
 * none, idempotent by id, commit turns held units into sold ones once, release and expiry free
 * them, and stock never drops below what is held.
 */
describe('reservations', () => {
  const setup = async (stock: Record<string, number> = { SH: 5, BJ: 3 }) => {
    const h = catalogHarness();
    const { product, skuIds } = await h.stockedProduct(stock);
    return { h, product, sku: skuIds[0] };
  };
  const held = (h: ReturnType<typeof catalogHarness>, sku: string, wh: string) =>
    h.store.level(sku, wh)?.reserved;

  it('holds every line or none: a short line leaves no reservation and nothing held', async () => {
    const { h, sku } = await setup();
    const other = await h.stockedProduct({ SH: 1 }, { skus: [aSkuInput('CUP-BLUE')] });
    const id = h.reservationId();
    await expect(
      h.reservations.reserve(h.ctx, {
        id,
        lines: [aLine(sku, 2, 'SH'), aLine(other.skuIds[0], 2)],
        ttlSeconds: 60,
      }),
    ).rejects.toMatchObject({ code: 'STOCK_INSUFFICIENT' });
    expect(h.store.reservations.has(id)).toBe(false);
    expect(held(h, sku, 'SH')).toBe(0);
    expect(held(h, other.skuIds[0], 'SH')).toBe(0);
  });

  it('an unknown SKU refuses the reservation and rolls back its claim, so a retry can succeed', async () => {
    const { h, sku } = await setup();
    const id = h.reservationId();
    const unknown = h.ids.newId();
    await expect(
      h.reservations.reserve(h.ctx, {
        id,
        lines: [aLine(sku, 1), aLine(unknown, 1)],
        ttlSeconds: 60,
      }),
    ).rejects.toMatchObject({ code: 'SKU_NOT_FOUND' });
    expect(h.store.reservations.has(id)).toBe(false);
    // the same id, asked again with lines that can be held, is a fresh reservation
    const r = await h.reservations.reserve(h.ctx, { id, lines: [aLine(sku, 1)], ttlSeconds: 60 });
    expect(r.lines).toEqual([{ skuId: sku, warehouseCode: 'SH', quantity: 1 }]);
  });

  it('splits an "any warehouse" line over the fullest warehouses first', async () => {
    const { h, sku } = await setup();
    const r = await h.reservations.reserve(h.ctx, {
      id: h.reservationId(),
      lines: [aLine(sku, 7)],
      ttlSeconds: 60,
    });
    expect(r.lines).toEqual([
      { skuId: sku, warehouseCode: 'SH', quantity: 5 },
      { skuId: sku, warehouseCode: 'BJ', quantity: 2 },
    ]);
    expect([held(h, sku, 'SH'), held(h, sku, 'BJ')]).toEqual([5, 2]);
  });

  it('a repeated reserve holds once; the same id with other lines is RESERVATION_CONFLICT', async () => {
    const { h, sku } = await setup();
    const input = { id: h.reservationId(), lines: [aLine(sku, 2, 'SH')], ttlSeconds: 60 };
    await h.reservations.reserve(h.ctx, input);
    const again = await h.reservations.reserve(h.ctx, input);
    expect(again.status).toBe('ACTIVE');
    expect(held(h, sku, 'SH')).toBe(2);
    await expect(
      h.reservations.reserve(h.ctx, { ...input, lines: [aLine(sku, 3, 'SH')] }),
    ).rejects.toMatchObject({ code: 'RESERVATION_CONFLICT' });
    expect(held(h, sku, 'SH')).toBe(2);
  });

  it('commit takes held units out of stock, counts them sold and raises a snapshot, once', async () => {
    const { h, product, sku } = await setup();
    const id = h.reservationId();
    await h.reservations.reserve(h.ctx, { id, lines: [aLine(sku, 4)], ttlSeconds: 60 });
    const before = h.store.outbox.length;
    expect((await h.reservations.commit(h.ctx, id)).status).toBe('COMMITTED');
    expect(h.store.level(sku, 'SH')).toMatchObject({ onHand: 1, reserved: 0 });
    expect(h.store.unitsSold.get(sku)).toBe(4);
    const events = h.store.outbox.slice(before);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'stockChanged',
        productId: product.id,
        delta: -4,
        reason: 'order',
        reference: id,
      }),
    ]);
    const version = h.store.products.get(product.id)!.version;
    // a repeated commit (the order service retries) changes nothing
    await h.reservations.commit(h.ctx, id);
    expect(h.store.unitsSold.get(sku)).toBe(4);
    expect(h.store.level(sku, 'SH')!.onHand).toBe(1);
    expect(h.store.outbox.length).toBe(before + 1);
    expect(h.store.products.get(product.id)!.version).toBe(version);
  });

  it('release frees the hold (twice is fine); a committed reservation cannot be released', async () => {
    const { h, sku } = await setup();
    const a = h.reservationId();
    await h.reservations.reserve(h.ctx, { id: a, lines: [aLine(sku, 3, 'SH')], ttlSeconds: 60 });
    expect((await h.reservations.release(h.ctx, a, 'cart abandoned')).status).toBe('RELEASED');
    expect((await h.reservations.release(h.ctx, a, 'again')).status).toBe('RELEASED');
    expect(held(h, sku, 'SH')).toBe(0);
    expect(h.store.reservations.get(a)!.reason).toBe('cart abandoned');
    await expect(h.reservations.commit(h.ctx, a)).rejects.toMatchObject({
      code: 'RESERVATION_NOT_ACTIVE',
    });

    const b = h.reservationId();
    await h.reservations.reserve(h.ctx, { id: b, lines: [aLine(sku, 1, 'SH')], ttlSeconds: 60 });
    await h.reservations.commit(h.ctx, b);
    await expect(h.reservations.release(h.ctx, b, '')).rejects.toMatchObject({
      code: 'RESERVATION_COMMITTED',
    });
    expect(h.store.level(sku, 'SH')).toMatchObject({ onHand: 4, reserved: 0 });
  });

  it('a commit after expiry records EXPIRED and frees the hold, then refuses', async () => {
    const { h, sku } = await setup();
    const id = h.reservationId();
    await h.reservations.reserve(h.ctx, { id, lines: [aLine(sku, 2, 'SH')], ttlSeconds: 60 });
    h.clock.advance(60_000);
    await expect(h.reservations.commit(h.ctx, id)).rejects.toMatchObject({
      code: 'RESERVATION_NOT_ACTIVE',
    });
    // the freeing committed although the caller got an error
    expect(h.store.reservations.get(id)!.header.status).toBe('EXPIRED');
    expect(held(h, sku, 'SH')).toBe(0);
    expect(h.store.unitsSold.get(sku) ?? 0).toBe(0);
  });

  it('the sweep expires what is due, oldest first, in bounded batches', async () => {
    const { h, sku } = await setup();
    const ids = [h.reservationId(), h.reservationId(), h.reservationId()];
    await h.reservations.reserve(h.ctx, {
      id: ids[0],
      lines: [aLine(sku, 1, 'SH')],
      ttlSeconds: 30,
    });
    await h.reservations.reserve(h.ctx, {
      id: ids[1],
      lines: [aLine(sku, 1, 'SH')],
      ttlSeconds: 10,
    });
    await h.reservations.reserve(h.ctx, {
      id: ids[2],
      lines: [aLine(sku, 1, 'SH')],
      ttlSeconds: 600,
    });
    h.clock.advance(30_000);
    expect(await h.reservations.expireDue(h.ctx, 1)).toBe(1);
    expect(h.store.reservations.get(ids[1])!.header.status).toBe('EXPIRED');
    expect(h.store.reservations.get(ids[0])!.header.status).toBe('ACTIVE');
    expect(await h.reservations.expireDue(h.ctx)).toBe(1);
    expect(await h.reservations.expireDue(h.ctx)).toBe(0);
    expect(held(h, sku, 'SH')).toBe(1);
    expect((await h.reservations.get(h.ctx, ids[2])).status).toBe('ACTIVE');
  });

  it('stock cannot be adjusted below what reservations hold; nothing is written', async () => {
    const { h, sku } = await setup({ SH: 5 });
    await h.reservations.reserve(h.ctx, {
      id: h.reservationId(),
      lines: [aLine(sku, 4, 'SH')],
      ttlSeconds: 60,
    });
    const events = h.store.outbox.length;
    const moves = h.store.movements.length;
    await expect(
      h.adjustStock.execute(h.ctx, sku, { warehouseCode: 'SH', delta: -2, reason: 'damaged' }),
    ).rejects.toMatchObject({ code: 'STOCK_INSUFFICIENT' });
    expect(h.store.level(sku, 'SH')).toMatchObject({ onHand: 5, reserved: 4 });
    expect([h.store.outbox.length, h.store.movements.length]).toEqual([events, moves]);
    const level = await h.adjustStock.execute(h.ctx, sku, {
      warehouseCode: 'SH',
      delta: -1,
      reason: 'damaged',
    });
    expect(level).toMatchObject({ onHand: 4, reserved: 4 });
    expect((await h.stock.levels(h.ctx, sku)).totalAvailable).toBe(0);
  });
});
