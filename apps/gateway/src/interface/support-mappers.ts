import Negotiator from 'negotiator';
import type { supportV1 } from '@emporia/contracts';
import type { ReplyTemplateDto } from './dto/support.dto';
import type {
  AgentKpisView,
  AgentTicketConversationView,
  AgentTicketMessageView,
  AgentTicketView,
  AgentView,
  ComplaintInsightsView,
  ReplyTemplateView,
  SuggestedReplyView,
  TicketConversationView,
  TicketMessageView,
  TicketView,
} from './dto/support-views.dto';

/** Explicit mapping between the support routes' JSON and `emporia.support.v1`. */

const orNull = (s: string): string | null => s || null;

export const ticketView = (t: supportV1.Ticket): TicketView => ({
  id: t.id,
  category: t.category,
  priority: t.priority,
  status: t.status,
  queue: t.queue,
  subject: t.subject,
  orderId: orNull(t.orderId),
  skuId: orNull(t.skuId),
  shipmentId: orNull(t.shipmentId),
  returnId: orNull(t.returnId),
  firstResponseDueAt: orNull(t.firstResponseDueAt),
  resolutionDueAt: orNull(t.resolutionDueAt),
  resolvedAt: orNull(t.resolvedAt),
  resolutionNote: orNull(t.resolutionNote),
  reopenUntil: orNull(t.reopenUntil),
  reopenCount: t.reopenCount,
  survey:
    t.survey && t.survey.rating > 0
      ? { rating: t.survey.rating, comment: t.survey.comment, submittedAt: t.survey.submittedAt }
      : null,
  handedOffAt: orNull(t.handedOffAt),
  handoffReason: orNull(t.handoffReason),
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

export const agentTicketView = (t: supportV1.Ticket): AgentTicketView => ({
  ...ticketView(t),
  accountId: t.accountId,
  assigneeId: orNull(t.assigneeId),
  tierCode: t.tierCode,
  firstRespondedAt: orNull(t.firstRespondedAt),
  firstResponseBreached: t.firstResponseBreached,
  resolutionBreached: t.resolutionBreached,
  escalated: t.escalated,
  warehouseCodes: t.warehouseCodes,
});

export const messageView = (m: supportV1.TicketMessage): TicketMessageView => ({
  id: m.id,
  authorKind: m.authorKind,
  body: m.body,
  attachmentUrls: m.attachmentUrls,
  createdAt: m.createdAt,
});

export const agentMessageView = (m: supportV1.TicketMessage): AgentTicketMessageView => ({
  ...messageView(m),
  authorId: orNull(m.authorId),
  internal: m.internal,
  templateId: orNull(m.templateId),
});

/**
 * A ticket and its messages for its owner. The support service leaves internal notes out of
 * every customer answer; the gateway drops any that would reach one all the same.
 */
export const conversationView = (r: {
  ticket?: supportV1.Ticket;
  messages: supportV1.TicketMessage[];
}): TicketConversationView => ({
  ticket: ticketView(r.ticket!),
  messages: r.messages.filter((m) => !m.internal).map(messageView),
});

export const agentConversationView = (r: {
  ticket?: supportV1.Ticket;
  messages: supportV1.TicketMessage[];
}): AgentTicketConversationView => ({
  ticket: agentTicketView(r.ticket!),
  messages: r.messages.map(agentMessageView),
});

export const templateView = (t: supportV1.ReplyTemplate): ReplyTemplateView => ({
  id: t.id,
  name: t.name,
  categories: t.categories,
  locale: t.locale,
  body: t.body,
  updatedAt: t.updatedAt,
  updatedBy: t.updatedBy,
});

export const templateToProto = (id: string, b: ReplyTemplateDto): supportV1.ReplyTemplate => ({
  id,
  name: b.name,
  categories: b.categories ?? [],
  locale: b.locale,
  body: b.body,
  updatedAt: '',
  updatedBy: '',
});

export const suggestedReplyView = (s: supportV1.SuggestedReply): SuggestedReplyView => ({
  template: templateView(s.template!),
  rendered: s.rendered,
  missingVariables: s.missingVariables,
});

export const agentView = (a: supportV1.Agent): AgentView => ({
  agentId: a.agentId,
  displayName: a.displayName,
  queues: a.queues,
  onShift: a.onShift,
  lastAssignedAt: orNull(a.lastAssignedAt),
});

export const kpisView = (k: supportV1.AgentKpis): AgentKpisView => ({
  agentId: orNull(k.agentId),
  ticketsAssigned: k.ticketsAssigned,
  ticketsResolved: k.ticketsResolved,
  resolutionRate: k.resolutionRate,
  reopenRate: k.reopenRate,
  firstResponseSecondsAvg: k.firstResponseSecondsAvg,
  firstResponseSecondsP50: k.firstResponseSecondsP50,
  resolutionSecondsAvg: k.resolutionSecondsAvg,
  resolutionSecondsP50: k.resolutionSecondsP50,
  satisfactionAvg: k.satisfactionAvg,
  surveys: k.surveys,
  slaBreaches: k.slaBreaches,
});

export const insightsView = (
  r: supportV1.ExportComplaintInsightsResponse,
): ComplaintInsightsView => ({
  week: r.week,
  rows: r.rows.map((row) => ({
    category: row.category,
    skuId: orNull(row.skuId),
    warehouseCode: row.warehouseCode,
    tickets: row.tickets,
  })),
});

/**
 * Whether an insight export is asked for as CSV: `format=csv`, or an Accept header that prefers
 * text/csv to JSON (`format=json` wins over the header; JSON when both are equally welcome).
 */
export function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format) return format === 'csv';
  const negotiator = new Negotiator({ headers: accept === undefined ? {} : { accept } });
  return negotiator.mediaType(['application/json', 'text/csv']) === 'text/csv';
}
