import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { groupAllowsFulfilment } from '../domain/group-buy';
import { note, transition, type OrderChange } from '../domain/order-change';
import { OrderError } from '../domain/order-error';
import {
  applyTracking,
  planShipments,
  ship,
  type Shipment,
  shipmentProgress,
} from '../domain/shipment';
import {
  checkWebhookFreshness,
  parseSignatureHeader,
  parseTrackingEvent,
  signedContent,
  type TrackingEventInput,
} from '../domain/tracking-webhook';
import {
  CARRIER_WEBHOOKS,
  type CarrierWebhooks,
  CATALOG,
  type CatalogPort,
  CLOCK,
  type Clock,
  ID_GENERATOR,
  type IdGenerator,
  UNIT_OF_WORK,
  type UnitOfWork,
} from './ports';

const orderNotFound = (id: string) =>
  new OrderError('NOT_FOUND', 'ORDER_NOT_FOUND', `order ${id} does not exist`);
const shipmentNotFound = (id: string) =>
  new OrderError('NOT_FOUND', 'SHIPMENT_NOT_FOUND', `shipment ${id} does not exist`);

/**
 * Fulfilment: a paid order gets one shipment per warehouse its stock was reserved in; operators
 * hand shipments to carriers; carriers report tracking through a webhook signed over its body. The order
 * follows: FULFILLING once planned, SHIPPED when every parcel left, DELIVERED when all arrived.
 */
@Injectable()
export class ShipmentsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CATALOG) private readonly catalog: CatalogPort,
    @Inject(CARRIER_WEBHOOKS) private readonly webhooks: CarrierWebhooks,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  list(ctx: RequestContext, orderId: string, accountId?: string): Promise<Shipment[]> {
    return this.uow.run(ctx, async (tx) => {
      const order = await tx.orders.find(orderId);
      if (!order || (accountId && order.accountId !== accountId)) throw orderNotFound(orderId);
      return tx.shipments.byOrder(orderId);
    });
  }

  /**
   * Plans the shipments of a paid order whose reservation is committed; idempotent. A group-buy
   * order ships only once its group is confirmed.
   */
  async plan(
    ctx: RequestContext,
    orderId: string,
    known: {
      /** The reservation's lines, when the caller has them (the commit's answer). */
      reserved?: { skuId: string; warehouseCode: string; quantity: number }[];
      /** The reservation's commit is recorded in the planning transaction too. */
      markSynced?: boolean;
    } = {},
  ): Promise<Shipment[]> {
    let reserved = known.reserved;
    if (!reserved) {
      const order = await this.uow.run(ctx, (tx) => tx.orders.find(orderId));
      if (!order) throw orderNotFound(orderId);
      if (!groupAllowsFulfilment(order)) return [];
      reserved = await this.catalog.reservationLines(ctx, order.reservationId);
    }
    const lines = reserved;
    return this.uow.run(ctx, async (tx) => {
      // the order under its row lock: read by the update that records the commit, when asked
      const current = known.markSynced
        ? await tx.orders.markReservationSynced(orderId)
        : await tx.orders.findForUpdate(orderId);
      const existing = await tx.shipments.byOrder(orderId);
      if (
        !current ||
        existing.length > 0 ||
        current.status !== 'PAID' ||
        !groupAllowsFulfilment(current)
      )
        return existing;
      const now = this.clock.now();
      const shipments = planShipments(orderId, lines, () => this.ids.newId(), now);
      await tx.shipments.insert(shipments);
      await tx.orders.save(transition(current, 'START_FULFILMENT', {}, now));
      return shipments;
    });
  }

  /** Plans shipments that a failed catalog call left unplanned. */
  async planPending(ctx: RequestContext, limit = 50): Promise<number> {
    const ids = await this.uow.run(ctx, (tx) => tx.shipments.ordersAwaitingShipments(limit));
    for (const id of ids) await this.plan(ctx, id);
    return ids.length;
  }

  ship(
    ctx: RequestContext,
    shipmentId: string,
    carrier: string,
    trackingNumber: string,
  ): Promise<Shipment> {
    return this.uow.run(ctx, async (tx) => {
      const found = await tx.shipments.find(shipmentId);
      if (!found) throw shipmentNotFound(shipmentId);
      const order = await tx.orders.findForUpdate(found.orderId);
      const current = (await tx.shipments.find(shipmentId, true))!;
      if (
        current.status !== 'PENDING' &&
        current.carrier === carrier &&
        current.trackingNumber === trackingNumber
      )
        return current; // the same hand-over reported twice
      const now = this.clock.now();
      const shipped = ship(current, carrier, trackingNumber, now);
      await tx.shipments.save(shipped);
      const all = (await tx.shipments.byOrder(order!.id)).map((s) =>
        s.id === shipped.id ? shipped : s,
      );
      const handedOver = note(order!, { type: 'shipped', shipment: shipped });
      await tx.orders.save(
        shipmentProgress(all) === 'ALL_SHIPPED'
          ? transition(handedOver, 'SHIP', {}, now)
          : handedOver,
      );
      return shipped;
    });
  }

  /**
   * A carrier's tracking event: the signature (Emporia-Signature header) must cover the exact
   * body and be fresh; only then is the body read.
   */
  track(
    ctx: RequestContext,
    input: { carrier: string; payload: Uint8Array; signatureHeader: string },
  ): Promise<{ shipment: Shipment; applied: boolean }> {
    const verifier = this.webhooks.verifier;
    if (!verifier)
      throw new OrderError(
        'FAILED_PRECONDITION',
        'CARRIER_WEBHOOKS_DISABLED',
        'carrier tracking webhooks are off here (no CARRIER_WEBHOOK_SECRET is configured)',
      );
    const signature = parseSignatureHeader(input.signatureHeader);
    const content = signedContent(signature.timestamp, input.carrier, input.payload);
    if (!verifier.verify(content, signature.signatures))
      throw new OrderError(
        'UNAUTHENTICATED',
        'WEBHOOK_SIGNATURE_INVALID',
        'the tracking event signature does not verify',
      );
    const now = this.clock.now();
    checkWebhookFreshness(signature.timestamp, now, this.webhooks.maxAgeSeconds);
    const event = parseTrackingEvent(input.payload, now);
    return this.record(ctx, input.carrier, event);
  }

  private record(
    ctx: RequestContext,
    carrier: string,
    input: TrackingEventInput,
  ): Promise<{ shipment: Shipment; applied: boolean }> {
    return this.uow.run(ctx, async (tx) => {
      const found = await tx.shipments.findByTracking(carrier.toLowerCase(), input.trackingNumber);
      if (!found)
        throw new OrderError(
          'NOT_FOUND',
          'SHIPMENT_NOT_FOUND',
          `no shipment with ${carrier} ${input.trackingNumber}`,
        );
      const order = await tx.orders.findForUpdate(found.orderId);
      const current = (await tx.shipments.find(found.id, true))!;
      const now = this.clock.now();
      const event = {
        eventId: input.eventId,
        status: input.status,
        description: input.description,
        occurredAt: input.occurredAt,
      };
      const { shipment, changed } = applyTracking(current, event, now);
      if (!changed) return { shipment, applied: false };
      await tx.shipments.save(shipment);
      const all = (await tx.shipments.byOrder(order!.id)).map((s) =>
        s.id === shipment.id ? shipment : s,
      );
      let change: OrderChange | null =
        event.status === 'DELIVERED' || event.status === 'EXCEPTION'
          ? note(order!, { type: 'tracked', shipment, event })
          : null;
      if (shipmentProgress(all) === 'ALL_DELIVERED' && order!.status === 'SHIPPED')
        change = transition(change ?? order!, 'DELIVER', {}, now);
      if (change) await tx.orders.save(change);
      return { shipment, applied: true };
    });
  }
}
