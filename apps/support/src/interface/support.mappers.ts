import type { supportV1 } from '@emporia/contracts';
import type { TicketView } from '../application/customer-tickets.use-case';
import type { Agent } from '../application/ports';
import type { SlaTarget } from '../domain/policy';
import type { ReplyTemplate } from '../domain/template';
import type { TicketMessage, TicketState } from '../domain/ticket';

/** Domain values to the messages of support_service.proto (times RFC 3339, "" when not yet). */
const iso = (d: Date | null) => d?.toISOString() ?? '';

export const ticketToProto = (t: TicketState): supportV1.Ticket => ({
  id: t.id,
  accountId: t.accountId,
  category: t.category,
  priority: t.priority,
  status: t.status,
  queue: t.queue,
  subject: t.subject,
  orderId: t.orderId,
  skuId: t.skuId,
  shipmentId: t.shipmentId,
  returnId: t.returnId,
  assigneeId: t.assigneeId ?? '',
  tierCode: t.tierCode,
  firstResponseDueAt: iso(t.firstResponseDueAt),
  firstRespondedAt: iso(t.firstRespondedAt),
  resolutionDueAt: iso(t.resolutionDueAt),
  resolvedAt: iso(t.resolvedAt),
  firstResponseBreached: t.firstResponseBreached,
  resolutionBreached: t.resolutionBreached,
  escalated: t.escalated,
  reopenUntil: iso(t.reopenUntil),
  reopenCount: t.reopenCount,
  survey: t.survey
    ? {
        rating: t.survey.rating,
        comment: t.survey.comment,
        submittedAt: t.survey.submittedAt.toISOString(),
      }
    : undefined,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
  warehouseCodes: t.warehouseCodes,
  handedOffAt: iso(t.handedOffAt),
  handoffReason: t.handoffReason ?? '',
  resolutionNote: t.resolutionNote,
});

export const messageToProto = (m: TicketMessage): supportV1.TicketMessage => ({
  id: m.id,
  ticketId: m.ticketId,
  authorKind: m.authorKind,
  authorId: m.authorId,
  body: m.body,
  attachmentUrls: m.attachmentUrls,
  internal: m.internal,
  createdAt: m.createdAt.toISOString(),
  templateId: m.templateId,
});

export const view = (v: TicketView) => ({
  ticket: ticketToProto(v.ticket),
  messages: v.messages.map(messageToProto),
});

export const agentToProto = (a: Agent): supportV1.Agent => ({
  agentId: a.agentId,
  displayName: a.displayName,
  queues: a.queues,
  onShift: a.onShift,
  lastAssignedAt: iso(a.lastAssignedAt),
});

export const templateToProto = (t: ReplyTemplate): supportV1.ReplyTemplate => ({
  id: t.id,
  name: t.name,
  categories: t.categories,
  locale: t.locale,
  body: t.body,
  updatedAt: t.updatedAt.toISOString(),
  updatedBy: t.updatedBy,
});

export const slaToProto = (t: SlaTarget): supportV1.SlaTarget => ({ ...t });
