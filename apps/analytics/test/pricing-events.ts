import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { Client } from 'pg';
import { catalogV1, orderV1 } from '@emporia/contracts';
import { HEADER } from '@emporia/messaging';
import { eventually } from '@emporia/testing';
import { dayOf } from '../src/domain/facts';

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

/**
 * Events for the pricing integration test, as the order service and catalog would publish them
 * (topics under `prefix`). `standIn()`: the branch has no collection area, so the test writes
 * `order_facts` as its projection would (paid without lines on OrderPaid, lines on OrderPlaced).
 */
export function pricingEvents(opts: {
  producer: () => Producer;
  pg: () => Client;
  prefix: string;
  timeZone: string;
  standIn: () => boolean;
}) {
  const TZ = opts.timeZone;
  const { prefix } = opts;
  async function publish(
    topic: string,
    key: string,
    type: string,
    value: Uint8Array,
    at: Date,
    eventId = randomUUID(),
  ) {
    await opts.producer().send({
      topic: `${prefix}${topic}`,
      messages: [
        {
          key,
          value: Buffer.from(value),
          headers: {
            [HEADER.eventId]: eventId,
            [HEADER.eventType]: type,
            [HEADER.occurredAt]: at.toISOString(),
          },
        },
      ],
    });
  }

  /** OrderPaid then OrderPlaced (the late one counts the order), as the order service would send them. */
  async function paidOrder(
    lines: { skuId: string; productId: string; quantity: number; unit: number }[],
    paidAt: Date,
  ) {
    const orderId = randomUUID();
    const accountId = randomUUID();
    const total = lines.reduce((a, l) => a + l.quantity * l.unit, 0);
    const linesJson = JSON.stringify(
      lines.map((l) => ({
        skuId: l.skuId,
        productId: l.productId,
        quantity: l.quantity,
        unitPriceMinor: l.unit,
        totalMinor: l.unit * l.quantity,
      })),
    );
    // the collection area's row as OrderPaid leaves it when OrderPlaced has not come yet: paid, no lines
    if (opts.standIn())
      await opts.pg().query(
        `INSERT INTO order_facts (order_id, account_id, currency, paid_at, paid_day, paid_minor, lines)
         VALUES ($1, $2, 'CNY', $3, $4, $5, '[]'::jsonb)`,
        [orderId, accountId, paidAt, dayOf(paidAt, TZ), total],
      );
    const paid = orderV1.OrderPaid.encode({
      orderId,
      accountId,
      amountPaid: cny(total),
      paidAt: paidAt.toISOString(),
    } as orderV1.OrderPaid).finish();
    const paidEventId = randomUUID();
    await publish('order.order', orderId, 'emporia.order.v1.OrderPaid', paid, paidAt, paidEventId);
    // ... and as OrderPlaced completes it, once the OrderPaid was handled (it counted nothing)
    if (opts.standIn()) {
      await eventually(async () =>
        (await opts.pg().query(`SELECT 1 FROM inbox WHERE event_id = $1`, [paidEventId])).rowCount
          ? true
          : undefined,
      );
      expect(
        (
          await opts
            .pg()
            .query(`SELECT 1 FROM inventory_counted_orders WHERE order_id = $1`, [orderId])
        ).rowCount,
      ).toBe(0);
      await opts.pg().query(
        `UPDATE order_facts SET channel = 'web', total_minor = $2, placed_at = $3, placed_day = $4,
           units = $5, lines = $6::jsonb WHERE order_id = $1`,
        [
          orderId,
          total,
          paidAt,
          dayOf(paidAt, TZ),
          lines.reduce((a, l) => a + l.quantity, 0),
          linesJson,
        ],
      );
    }
    await publish(
      'order.order',
      orderId,
      'emporia.order.v1.OrderPlaced',
      orderV1.OrderPlaced.encode({
        orderId,
        accountId,
        total: cny(total),
        status: 'PENDING_PAYMENT',
        placedAt: paidAt.toISOString(),
        couponCodes: [],
        channel: 'web',
        lines: lines.map((l) => ({
          skuId: l.skuId,
          productId: l.productId,
          quantity: l.quantity,
          unitPrice: cny(l.unit),
          total: cny(l.unit * l.quantity),
        })),
      }).finish(),
      paidAt,
    );
    // the same OrderPaid delivered again, and another OrderPaid of the order: counted once
    await publish('order.order', orderId, 'emporia.order.v1.OrderPaid', paid, paidAt, paidEventId);
    await publish('order.order', orderId, 'emporia.order.v1.OrderPaid', paid, paidAt);
    return orderId;
  }

  /** A ProductUpdated as catalog would send it, at `at`, for SKUs with these prices and stock. */
  async function snapshotEvent(
    product: { id: string; categoryId: string; categoryPathIds: string[] },
    skus: { id: string; code: string; price: number; onHand: number }[],
    at: Date,
  ) {
    const message = catalogV1.ProductUpdated.encode({
      product: {
        tags: [],
        manualTags: [],
        publishAt: '',
        unpublishAt: '',
        complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_NOT_REQUIRED,
        id: product.id,
        title: 'Synthetic',
        description: '',
        brand: '',
        categoryId: product.categoryId,
        categoryPathIds: product.categoryPathIds,
        rating: undefined,
        status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
        skus: skus.map((s) => ({
          id: s.id,
          code: s.code,
          attributes: {},
          price: cny(s.price),
          originalPrice: undefined,
          stockOnHand: s.onHand,
          unitsSold: 0,
        })),
        version: 1,
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
        unitsSold: 0,
      },
      changedFields: ['skus'],
    }).finish();
    await publish('catalog.product', product.id, 'emporia.catalog.v1.ProductUpdated', message, at);
  }

  return { publish, paidOrder, snapshotEvent };
}
