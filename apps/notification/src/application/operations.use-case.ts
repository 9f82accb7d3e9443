import { Inject, Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor, pageSize, type RequestContext } from '@emporia/platform';
import { type Channel, type Locale } from '../domain/channels';
import { applyReceipt, retryDead, type Delivery } from '../domain/delivery';
import { NotificationError, invalid, notFound } from '../domain/notification-error';
import { validateTemplate, type Template, type TemplateKey } from '../domain/template';
import { countDelivery } from './metrics';
import {
  CLOCK,
  NOTIFICATION_SETTINGS,
  UNIT_OF_WORK,
  type Clock,
  type DeliveryFilter,
  type NotificationSettings,
  type UnitOfWork,
} from './ports';
import { verifyReceipt, type Receipt } from './signing';

const isCursor = (v: unknown): v is { id: string } =>
  typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string';

/** The delivery log, operators' retries, providers' receipts, and the templates. */
@Injectable()
export class OperationsUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
  ) {}

  async listDeliveries(
    ctx: RequestContext,
    filter: DeliveryFilter,
    page: { size?: number; token?: string },
  ): Promise<{ deliveries: Delivery[]; nextPageToken: string }> {
    const limit = pageSize(page.size);
    const after = page.token ? decodeCursor(page.token, isCursor).id : undefined;
    const rows = await this.uow.run(ctx, (tx) => tx.deliveries.list(filter, after, limit + 1));
    const deliveries = rows.slice(0, limit);
    return {
      deliveries,
      nextPageToken: rows.length > limit ? encodeCursor({ id: deliveries.at(-1)!.id }) : '',
    };
  }

  /** An operator sends a DEAD delivery again (DELIVERY_NOT_DEAD otherwise): due at once. */
  async retryDelivery(ctx: RequestContext, deliveryId: string): Promise<Delivery> {
    const next = await this.uow.run(ctx, async (tx) => {
      const d = await tx.deliveries.get(deliveryId, true);
      if (!d) throw notFound('DELIVERY_NOT_FOUND', `no delivery ${deliveryId}`);
      const retried = retryDead(d, this.clock.now());
      await tx.deliveries.save(retried);
      return retried;
    });
    countDelivery(next);
    return next;
  }

  /**
   * A provider's receipt: the signature over the canonical string is checked first
   * (RECEIPT_SIGNATURE_INVALID), then the delivery is found by provider and message id
   * (RECEIPT_UNKNOWN) and marked DELIVERED or UNDELIVERED. A repeated receipt changes nothing.
   */
  async recordReceipt(ctx: RequestContext, r: Receipt, signature: string): Promise<Delivery> {
    const secret = this.settings.receiptSecrets[r.provider];
    if (!secret || !verifyReceipt(secret, r, signature))
      throw new NotificationError(
        'PERMISSION_DENIED',
        'RECEIPT_SIGNATURE_INVALID',
        'the receipt signature does not verify',
      );
    if (r.status !== 'DELIVERED' && r.status !== 'UNDELIVERED')
      throw invalid('RECEIPT_INVALID', 'status must be DELIVERED or UNDELIVERED', 'status');
    const at = new Date(r.occurredAt);
    if (Number.isNaN(at.getTime()))
      throw invalid('RECEIPT_INVALID', 'occurred_at must be an ISO 8601 instant', 'occurred_at');
    const status = r.status;
    const result = await this.uow.run(ctx, async (tx) => {
      const found = await tx.deliveries.byProviderMessage(r.provider, r.providerMessageId);
      if (!found)
        throw notFound('RECEIPT_UNKNOWN', `no ${r.provider} message ${r.providerMessageId}`);
      const d = (await tx.deliveries.get(found.id, true))!;
      const next = applyReceipt(d, { status, at, errorCode: r.errorCode });
      if (next !== d) await tx.deliveries.save(next);
      return { next, changed: next !== d };
    });
    if (result.changed) countDelivery(result.next);
    return result.next;
  }

  listTemplates(ctx: RequestContext, key?: TemplateKey): Promise<Template[]> {
    return this.uow.run(ctx, (tx) => tx.templates.list(key));
  }

  /** Replaces one template's words (TEMPLATE_NOT_FOUND, TEMPLATE_INVALID for unknown variables). */
  async updateTemplate(
    ctx: RequestContext,
    t: { key: TemplateKey; channel: Channel; locale: Locale; subject: string; body: string },
    operatorId: string,
  ): Promise<Template> {
    validateTemplate(t);
    return this.uow.run(ctx, async (tx) => {
      const current = await tx.templates.get(t.key, t.channel, t.locale);
      if (!current)
        throw notFound('TEMPLATE_NOT_FOUND', `no template ${t.key} ${t.channel} ${t.locale}`);
      const next: Template = {
        ...current,
        subject: t.subject,
        body: t.body,
        updatedAt: this.clock.now(),
      };
      await tx.templates.save(next, operatorId);
      return next;
    });
  }
}
