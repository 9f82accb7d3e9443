import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { supportV1 } from '@emporia/contracts';
import { grpcError, startFakeGrpc, type FakeService } from '@emporia/testing';

/** The week the fake's insight export refuses (2025 has 52 ISO weeks). */
export const BAD_WEEK = '2025-W53';

/**
 * A test double of the support service at its gRPC boundary (the end-to-end suite runs the real
 * one), keeping tickets in memory with the contract's visible rules, so that the gateway's
 * mapping can be checked both ways: a ticket of another account is NOT_FOUND TICKET_NOT_FOUND;
 * customers' answers leave internal notes out; an attachment on `localhost` is INVALID_ARGUMENT
 * ATTACHMENT_URL_INVALID; template `missing` is NOT_FOUND TEMPLATE_NOT_FOUND; a second claim is ABORTED ALREADY_CLAIMED; a survey before resolution
 * is FAILED_PRECONDITION TICKET_NOT_RESOLVED, a second one ALREADY_EXISTS
 * SURVEY_ALREADY_SUBMITTED; the senior queue of an agent who does not work it is
 * PERMISSION_DENIED NOT_IN_QUEUE; week BAD_WEEK is INVALID_ARGUMENT WEEK_INVALID.
 */
export async function startFakeSupport(): Promise<FakeService> {
  const tickets = new Map<string, supportV1.Ticket>();
  const messages = new Map<string, supportV1.TicketMessage[]>();
  const byRequest = new Map<string, string>();
  const now = () => new Date().toISOString();

  const ticketOf = (id: string, accountId: string): supportV1.Ticket => {
    const t = tickets.get(id);
    // a customer's call for another account's ticket: as if it did not exist
    if (!t || (accountId && t.accountId !== accountId))
      throw grpcError(status.NOT_FOUND, 'TICKET_NOT_FOUND', `no ticket ${id}`);
    return t;
  };
  const checkUrls = (urls: string[]) => {
    if (urls.some((u) => new URL(u).hostname === 'localhost'))
      throw grpcError(status.INVALID_ARGUMENT, 'ATTACHMENT_URL_INVALID', 'a private host');
  };
  const post = (
    ticketId: string,
    m: Partial<supportV1.TicketMessage> & { authorKind: string; body: string },
  ) => {
    const message: supportV1.TicketMessage = {
      id: randomUUID(),
      ticketId,
      authorId: '',
      attachmentUrls: [],
      internal: false,
      createdAt: now(),
      templateId: '',
      ...m,
    };
    messages.set(ticketId, [...(messages.get(ticketId) ?? []), message]);
    return message;
  };
  const update = (t: supportV1.Ticket, change: Partial<supportV1.Ticket>) => {
    const next = { ...t, ...change, updatedAt: now() };
    tickets.set(t.id, next);
    return next;
  };
  /** What a customer sees, and what an agent sees. */
  const forCustomer = (t: supportV1.Ticket, only?: supportV1.TicketMessage[]) => ({
    ticket: t,
    messages: (only ?? messages.get(t.id) ?? []).filter((m) => !m.internal),
  });
  const forAgent = (t: supportV1.Ticket) => ({ ticket: t, messages: messages.get(t.id) ?? [] });

  return startFakeGrpc('support', {
    openTicket: (req: supportV1.OpenTicketRequest) => {
      checkUrls(req.attachmentUrls);
      const known = req.requestId && byRequest.get(`${req.accountId}:${req.requestId}`);
      if (known) return forCustomer(tickets.get(known)!);
      const id = randomUUID();
      const t: supportV1.Ticket = {
        id,
        accountId: req.accountId,
        category: req.category,
        priority: 'P3',
        status: 'BOT',
        queue: 'general',
        subject: req.subject,
        orderId: req.orderId,
        skuId: req.skuId,
        shipmentId: req.shipmentId,
        returnId: req.returnId,
        assigneeId: '',
        tierCode: 'SILVER',
        firstResponseDueAt: '',
        firstRespondedAt: '',
        resolutionDueAt: '',
        resolvedAt: '',
        firstResponseBreached: false,
        resolutionBreached: false,
        escalated: false,
        reopenUntil: '',
        reopenCount: 0,
        survey: undefined,
        createdAt: now(),
        updatedAt: now(),
        warehouseCodes: ['SH-1'],
        handedOffAt: '',
        handoffReason: '',
        resolutionNote: '',
      };
      tickets.set(id, t);
      if (req.requestId) byRequest.set(`${req.accountId}:${req.requestId}`, id);
      post(id, {
        authorKind: 'CUSTOMER',
        authorId: req.accountId,
        body: req.body,
        attachmentUrls: req.attachmentUrls,
      });
      post(id, { authorKind: 'BOT', body: 'Your order has shipped: tracking SF123.' });
      return forCustomer(t);
    },
    listMyTickets: (req: supportV1.ListMyTicketsRequest) => ({
      tickets: [...tickets.values()].filter(
        (t) => t.accountId === req.accountId && (!req.status || t.status === req.status),
      ),
      nextCursor: '',
    }),
    getTicket: (req: supportV1.GetTicketRequest) => {
      const t = ticketOf(req.ticketId, req.accountId);
      return req.accountId ? forCustomer(t) : forAgent(t);
    },
    postCustomerMessage: (req: supportV1.PostCustomerMessageRequest) => {
      const t = ticketOf(req.ticketId, req.accountId);
      checkUrls(req.attachmentUrls);
      const m = post(t.id, {
        authorKind: 'CUSTOMER',
        authorId: req.accountId,
        body: req.body,
        attachmentUrls: req.attachmentUrls,
      });
      return forCustomer(t, [m]);
    },
    requestHandoff: (req: supportV1.RequestHandoffRequest) => {
      const t = ticketOf(req.ticketId, req.accountId);
      post(t.id, { authorKind: 'SYSTEM', body: 'A person will answer.' });
      return forCustomer(
        update(t, { status: 'OPEN', handedOffAt: now(), handoffReason: 'CUSTOMER_ASKED' }),
      );
    },
    submitSurvey: (req: supportV1.SubmitSurveyRequest) => {
      const t = ticketOf(req.ticketId, req.accountId);
      if (t.survey?.rating) throw grpcError(status.ALREADY_EXISTS, 'SURVEY_ALREADY_SUBMITTED');
      if (t.status !== 'RESOLVED')
        throw grpcError(status.FAILED_PRECONDITION, 'TICKET_NOT_RESOLVED');
      return forCustomer(
        update(t, {
          survey: { rating: req.rating, comment: req.comment, submittedAt: now() },
        }),
      );
    },
    reopenTicket: (req: supportV1.ReopenTicketRequest) => {
      const t = ticketOf(req.ticketId, req.accountId);
      post(t.id, { authorKind: 'CUSTOMER', authorId: req.accountId, body: req.body });
      return forCustomer(update(t, { status: 'OPEN', reopenCount: t.reopenCount + 1 }));
    },
    listQueue: (req: supportV1.ListQueueRequest) => {
      if (req.queue === 'senior')
        throw grpcError(status.PERMISSION_DENIED, 'NOT_IN_QUEUE', 'not a senior agent');
      return {
        tickets: [...tickets.values()].filter(
          (t) =>
            t.queue === req.queue &&
            (!req.status || t.status === req.status) &&
            (!req.mine || t.assigneeId === req.agentId),
        ),
        nextCursor: '',
      };
    },
    claimTicket: (req: supportV1.ClaimTicketRequest) => {
      const t = ticketOf(req.ticketId, '');
      if (t.assigneeId && t.assigneeId !== req.agentId)
        throw grpcError(status.ABORTED, 'ALREADY_CLAIMED', 'another agent was first');
      return forAgent(update(t, { status: 'ASSIGNED', assigneeId: req.agentId }));
    },
    postAgentMessage: (req: supportV1.PostAgentMessageRequest) => {
      const t = ticketOf(req.ticketId, '');
      checkUrls(req.attachmentUrls);
      post(t.id, {
        authorKind: 'AGENT',
        authorId: req.agentId,
        body: req.body,
        attachmentUrls: req.attachmentUrls,
        internal: req.internal,
        templateId: req.templateId,
      });
      return forAgent(
        req.internal ? t : update(t, { status: 'WAITING_CUSTOMER', firstRespondedAt: now() }),
      );
    },
    resolveTicket: (req: supportV1.ResolveTicketRequest) => {
      const t = ticketOf(req.ticketId, '');
      const reopenUntil = new Date(Date.now() + 7 * 86_400_000).toISOString();
      return forAgent(
        update(t, {
          status: 'RESOLVED',
          resolvedAt: now(),
          resolutionNote: req.resolutionNote,
          reopenUntil,
        }),
      );
    },
    escalateTicket: (req: supportV1.EscalateTicketRequest) =>
      forAgent(update(ticketOf(req.ticketId, ''), { queue: 'senior', escalated: true })),
    suggestReplies: (req: supportV1.SuggestRepliesRequest) => {
      const t = ticketOf(req.ticketId, '');
      return {
        replies: [
          {
            template: {
              id: 'tracking',
              name: 'Tracking',
              categories: ['LOGISTICS_DELAY'],
              locale: 'en',
              body: 'Order {{order_id}}: {{tracking_number}}',
              updatedAt: now(),
              updatedBy: '',
            },
            rendered: `Order ${t.orderId}: {{tracking_number}}`,
            missingVariables: ['tracking_number'],
          },
        ],
      };
    },
    setAgentShift: (req: supportV1.SetAgentShiftRequest) => ({
      agent: {
        agentId: req.agentId,
        displayName: req.displayName,
        queues: req.queues.length ? req.queues : ['general'],
        onShift: req.onShift,
        lastAssignedAt: '',
      },
    }),
    listAgents: () => ({ agents: [] }),
    // no id: a new template; an id: replaces that one (TEMPLATE_NOT_FOUND when there is none)
    upsertReplyTemplate: (req: supportV1.UpsertReplyTemplateRequest) => {
      if (req.template!.id === 'missing') throw grpcError(status.NOT_FOUND, 'TEMPLATE_NOT_FOUND');
      return {
        template: {
          ...req.template,
          id: req.template!.id || randomUUID(),
          updatedAt: now(),
          updatedBy: req.operatorId,
        },
      };
    },
    listReplyTemplates: () => ({ templates: [] }),
    deleteReplyTemplate: (req: supportV1.DeleteReplyTemplateRequest) => {
      if (req.templateId === 'missing') throw grpcError(status.NOT_FOUND, 'TEMPLATE_NOT_FOUND');
      return {};
    },
    getSlaTargets: () => ({
      targets: [{ priority: 'P1', firstResponseMinutes: 30, resolutionMinutes: 240 }],
    }),
    setSlaTargets: (req: supportV1.SetSlaTargetsRequest) => ({ targets: req.targets }),
    getSupportKpis: () => {
      const kpis = (agentId: string) => ({
        agentId,
        ticketsAssigned: 4,
        ticketsResolved: 3,
        resolutionRate: 0.75,
        reopenRate: 0,
        firstResponseSecondsAvg: 120,
        firstResponseSecondsP50: 90,
        resolutionSecondsAvg: 3600,
        resolutionSecondsP50: 3000,
        satisfactionAvg: 4.5,
        surveys: 2,
        slaBreaches: 1,
      });
      return { agents: [kpis('0190a000-0000-7000-8000-0000000000a1')], team: kpis('') };
    },
    exportComplaintInsights: (req: supportV1.ExportComplaintInsightsRequest) => {
      if (req.week === BAD_WEEK)
        throw grpcError(status.INVALID_ARGUMENT, 'WEEK_INVALID', `${req.week} does not exist`);
      return {
        week: req.week,
        rows: [{ category: 'LOGISTICS_DELAY', skuId: '', warehouseCode: 'SH-1', tickets: 3 }],
        csv: 'category,sku_id,warehouse_code,tickets\nLOGISTICS_DELAY,,SH-1,3\n',
      };
    },
  });
}
