import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { importedShippingAddress } from '../domain/address';
import { importedPaid, type MarketplaceAdapter, pricedFromImport } from '../domain/imported-order';
import { checkPricing, placeOrder, type Order } from '../domain/order';
import { OrderError } from '../domain/order-error';
import { OrderLifecycleUseCase } from './order-lifecycle.use-case';
import {
  CATALOG,
  type CatalogPort,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  MARKETPLACES,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

/**
 * Orders taken and paid on other marketplaces, brought in through an adapter per source. The
 * same external order imported twice (even concurrently) is one order: the (source, external
 * id) pair is unique, and a losing attempt releases the stock it held. An imported order is
 * PAID at once; its stock is reserved and committed and it is fulfilled like any other.
 */
@Injectable()
export class ImportOrdersUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CATALOG) private readonly catalog: CatalogPort,
    @Inject(MARKETPLACES) private readonly adapters: Map<string, MarketplaceAdapter>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly lifecycle: OrderLifecycleUseCase,
  ) {}

  private async existing(
    ctx: RequestContext,
    source: string,
    externalId: string,
  ): Promise<Order | null> {
    return this.uow.run(ctx, async (tx) => {
      const id = await tx.orders.findImport(source, externalId);
      return id ? tx.orders.find(id) : null;
    });
  }

  async import(
    ctx: RequestContext,
    source: string,
    payload: unknown,
  ): Promise<{ order: Order; created: boolean }> {
    const adapter = this.adapters.get(source);
    if (!adapter)
      throw new OrderError(
        'INVALID_ARGUMENT',
        'IMPORT_SOURCE_UNKNOWN',
        `no importer for '${source}'`,
        {
          known: [...this.adapters.keys()],
        },
      );
    const imp = adapter.parse(payload);
    const address = importedShippingAddress(imp.address);
    const before = await this.existing(ctx, source, imp.externalId);
    if (before) return { order: before, created: false };

    const skus = await this.catalog.skus(
      ctx,
      imp.lines.map((l) => l.skuId),
    );
    const missing = imp.lines.find((l) => !skus.has(l.skuId));
    if (missing)
      throw new OrderError('NOT_FOUND', 'SKU_NOT_FOUND', `SKU ${missing.skuId} does not exist`);
    const priced = pricedFromImport(imp, skus);
    checkPricing(priced);

    const reservationId = this.ids.newId();
    await this.catalog.reserve(
      ctx,
      reservationId,
      imp.lines.map((l) => ({ skuId: l.skuId, quantity: l.quantity })),
      900,
    );
    let order: Order;
    try {
      order = await this.uow.run(ctx, async (tx) => {
        const now = this.clock.now();
        const fresh = placeOrder({
          id: this.ids.newId(),
          accountId: imp.accountId,
          priced,
          risk: { decision: 'ALLOW', score: 0, reasons: ['IMPORTED'], degraded: false },
          reservationId,
          address,
          now,
          paymentTtlMs: 0,
          // an imported order was placed on its marketplace
          channel: source,
        });
        const paid = importedPaid(fresh, imp.paidAt, now);
        await tx.orders.add(paid, priced.explanation, false);
        // the order goes too (rollback) when this external order was imported meanwhile
        if (!(await tx.orders.insertImport(source, imp.externalId, paid.order.id, now)))
          throw new OrderError('ALREADY_EXISTS', 'IMPORT_DUPLICATE', 'imported meanwhile');
        return paid.order;
      });
    } catch (e) {
      const duplicate = e instanceof OrderError && e.code === 'IMPORT_DUPLICATE';
      await this.catalog.release(
        ctx,
        reservationId,
        duplicate ? 'IMPORT_DUPLICATE' : 'IMPORT_FAILED',
      );
      if (!duplicate) throw e;
      // another import of the same external order won the race
      return { order: (await this.existing(ctx, source, imp.externalId))!, created: false };
    }
    await this.lifecycle.syncReservation(ctx, order.id, reservationId, 'COMMIT');
    return { order, created: true };
  }
}
