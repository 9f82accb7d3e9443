import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { supportV1 } from '@emporia/contracts';
import { UUID_RE } from '@emporia/domain';
import { withGrpcContext } from '@emporia/platform';
import { AgentDeskUseCase } from '../application/agent-desk.use-case';
import { CustomerTicketsUseCase } from '../application/customer-tickets.use-case';
import { OperationsUseCase } from '../application/operations.use-case';
import { parseCategory, parseLocale, parseQueue, type Priority } from '../domain/policy';
import { invalid } from '../domain/support-error';
import { TICKET_STATUSES, type TicketStatus } from '../domain/ticket';
import { agentToProto, slaToProto, templateToProto, ticketToProto, view } from './support.mappers';

const uuid = (field: string, v: string) => {
  if (!UUID_RE.test(v ?? '')) throw invalid('ID_INVALID', `${field} must be a UUID`, field);
  return v.toLowerCase();
};
const optionalUuid = (field: string, v: string) => (v ? uuid(field, v) : '');
const status = (v: string, field = 'status'): TicketStatus | undefined => {
  if (!v) return undefined;
  if (!(TICKET_STATUSES as readonly string[]).includes(v))
    throw invalid('STATUS_INVALID', `${field} must be one of ${TICKET_STATUSES.join(', ')}`, field);
  return v as TicketStatus;
};

/** SupportService over gRPC: checks the request's shape, calls a use case, maps the answer. */
@Controller()
@supportV1.SupportServiceControllerMethods()
export class SupportGrpcController implements supportV1.SupportServiceController {
  constructor(
    private readonly customers: CustomerTicketsUseCase,
    private readonly desk: AgentDeskUseCase,
    private readonly ops: OperationsUseCase,
  ) {}

  // ---- customers ----

  openTicket(
    req: supportV1.OpenTicketRequest,
    md?: Metadata,
  ): Promise<supportV1.OpenTicketResponse> {
    return withGrpcContext(md, async (ctx) =>
      view(
        await this.customers.open(ctx, {
          accountId: uuid('account_id', req.accountId),
          category: parseCategory(req.category),
          subject: req.subject ?? '',
          body: req.body ?? '',
          attachmentUrls: req.attachmentUrls ?? [],
          orderId: optionalUuid('order_id', req.orderId),
          skuId: optionalUuid('sku_id', req.skuId),
          shipmentId: optionalUuid('shipment_id', req.shipmentId),
          returnId: optionalUuid('return_id', req.returnId),
          locale: parseLocale(req.locale),
          requestId: req.requestId ?? '',
        }),
      ),
    );
  }

  listMyTickets(
    req: supportV1.ListMyTicketsRequest,
    md?: Metadata,
  ): Promise<supportV1.ListMyTicketsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const { items, nextCursor } = await this.customers.listMine(
        ctx,
        uuid('account_id', req.accountId),
        status(req.status),
        req.cursor ?? '',
        req.limit ?? 0,
      );
      return { tickets: items.map(ticketToProto), nextCursor };
    });
  }

  getTicket(req: supportV1.GetTicketRequest, md?: Metadata): Promise<supportV1.GetTicketResponse> {
    return withGrpcContext(md, async (ctx) => {
      const id = uuid('ticket_id', req.ticketId);
      if (req.accountId)
        return view(await this.customers.get(ctx, id, uuid('account_id', req.accountId)));
      uuid('agent_id', req.agentId);
      return view(await this.desk.get(ctx, id));
    });
  }

  postCustomerMessage(
    req: supportV1.PostCustomerMessageRequest,
    md?: Metadata,
  ): Promise<supportV1.PostCustomerMessageResponse> {
    return withGrpcContext(md, async (ctx) =>
      view(
        await this.customers.post(
          ctx,
          uuid('ticket_id', req.ticketId),
          uuid('account_id', req.accountId),
          req.body ?? '',
          req.attachmentUrls ?? [],
        ),
      ),
    );
  }

  requestHandoff(
    req: supportV1.RequestHandoffRequest,
    md?: Metadata,
  ): Promise<supportV1.RequestHandoffResponse> {
    return withGrpcContext(md, async (ctx) =>
      view(
        await this.customers.requestHandoff(
          ctx,
          uuid('ticket_id', req.ticketId),
          uuid('account_id', req.accountId),
        ),
      ),
    );
  }

  submitSurvey(
    req: supportV1.SubmitSurveyRequest,
    md?: Metadata,
  ): Promise<supportV1.SubmitSurveyResponse> {
    return withGrpcContext(md, async (ctx) =>
      view(
        await this.customers.submitSurvey(
          ctx,
          uuid('ticket_id', req.ticketId),
          uuid('account_id', req.accountId),
          req.rating ?? 0,
          req.comment ?? '',
        ),
      ),
    );
  }

  reopenTicket(
    req: supportV1.ReopenTicketRequest,
    md?: Metadata,
  ): Promise<supportV1.ReopenTicketResponse> {
    return withGrpcContext(md, async (ctx) =>
      view(
        await this.customers.reopen(
          ctx,
          uuid('ticket_id', req.ticketId),
          uuid('account_id', req.accountId),
          req.body ?? '',
        ),
      ),
    );
  }

  // ---- agents ----

  listQueue(req: supportV1.ListQueueRequest, md?: Metadata): Promise<supportV1.ListQueueResponse> {
    return withGrpcContext(md, async (ctx) => {
      const { items, nextCursor } = await this.desk.listQueue(
        ctx,
        uuid('agent_id', req.agentId),
        parseQueue(req.queue),
        status(req.status),
        req.mine ?? false,
        req.cursor ?? '',
        req.limit ?? 0,
      );
      return { tickets: items.map(ticketToProto), nextCursor };
    });
  }

  claimTicket(
    req: supportV1.ClaimTicketRequest,
    md?: Metadata,
  ): Promise<supportV1.ClaimTicketResponse> {
    return withGrpcContext(md, async (ctx) =>
      view(
        await this.desk.claim(ctx, uuid('ticket_id', req.ticketId), uuid('agent_id', req.agentId)),
      ),
    );
  }

  postAgentMessage(
    req: supportV1.PostAgentMessageRequest,
    md?: Metadata,
  ): Promise<supportV1.PostAgentMessageResponse> {
    return withGrpcContext(md, async (ctx) =>
      view(
        await this.desk.post(ctx, {
          ticketId: uuid('ticket_id', req.ticketId),
          agentId: uuid('agent_id', req.agentId),
          body: req.body ?? '',
          attachmentUrls: req.attachmentUrls ?? [],
          internal: req.internal ?? false,
          templateId: optionalUuid('template_id', req.templateId),
        }),
      ),
    );
  }

  resolveTicket(
    req: supportV1.ResolveTicketRequest,
    md?: Metadata,
  ): Promise<supportV1.ResolveTicketResponse> {
    return withGrpcContext(md, async (ctx) =>
      view(
        await this.desk.resolve(
          ctx,
          uuid('ticket_id', req.ticketId),
          uuid('agent_id', req.agentId),
          req.resolutionNote ?? '',
        ),
      ),
    );
  }

  escalateTicket(
    req: supportV1.EscalateTicketRequest,
    md?: Metadata,
  ): Promise<supportV1.EscalateTicketResponse> {
    return withGrpcContext(md, async (ctx) =>
      view(
        await this.desk.escalate(
          ctx,
          uuid('ticket_id', req.ticketId),
          uuid('agent_id', req.agentId),
          req.reason ?? '',
        ),
      ),
    );
  }

  setAgentShift(
    req: supportV1.SetAgentShiftRequest,
    md?: Metadata,
  ): Promise<supportV1.SetAgentShiftResponse> {
    return withGrpcContext(md, async (ctx) => ({
      agent: agentToProto(
        await this.desk.setShift(
          ctx,
          uuid('agent_id', req.agentId),
          req.displayName ?? '',
          req.onShift ?? false,
          (req.queues ?? []).map((q, i) => parseQueue(q, `queues.${i}`)),
        ),
      ),
    }));
  }

  listAgents(
    _req: supportV1.ListAgentsRequest,
    md?: Metadata,
  ): Promise<supportV1.ListAgentsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      agents: (await this.desk.listAgents(ctx)).map(agentToProto),
    }));
  }

  suggestReplies(
    req: supportV1.SuggestRepliesRequest,
    md?: Metadata,
  ): Promise<supportV1.SuggestRepliesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      replies: (
        await this.desk.suggest(ctx, uuid('ticket_id', req.ticketId), uuid('agent_id', req.agentId))
      ).map((r) => ({
        template: templateToProto(r.template),
        rendered: r.rendered,
        missingVariables: r.missingVariables,
      })),
    }));
  }

  // ---- operators ----

  upsertReplyTemplate(
    req: supportV1.UpsertReplyTemplateRequest,
    md?: Metadata,
  ): Promise<supportV1.UpsertReplyTemplateResponse> {
    return withGrpcContext(md, async (ctx) => {
      const t = req.template;
      if (!t) throw invalid('TEMPLATE_INVALID', 'template is required', 'template');
      return {
        template: templateToProto(
          await this.ops.upsertTemplate(
            ctx,
            {
              id: optionalUuid('template.id', t.id),
              name: t.name ?? '',
              categories: t.categories ?? [],
              locale: t.locale || 'zh-CN',
              body: t.body ?? '',
            },
            req.operatorId ?? '',
          ),
        ),
      };
    });
  }

  listReplyTemplates(
    req: supportV1.ListReplyTemplatesRequest,
    md?: Metadata,
  ): Promise<supportV1.ListReplyTemplatesResponse> {
    return withGrpcContext(md, async (ctx) => ({
      templates: (
        await this.ops.listTemplates(
          ctx,
          req.category ? parseCategory(req.category) : undefined,
          req.locale ? parseLocale(req.locale) : undefined,
        )
      ).map(templateToProto),
    }));
  }

  deleteReplyTemplate(
    req: supportV1.DeleteReplyTemplateRequest,
    md?: Metadata,
  ): Promise<supportV1.DeleteReplyTemplateResponse> {
    return withGrpcContext(md, async (ctx) => {
      await this.ops.deleteTemplate(ctx, uuid('template_id', req.templateId));
      return {};
    });
  }

  setSlaTargets(
    req: supportV1.SetSlaTargetsRequest,
    md?: Metadata,
  ): Promise<supportV1.SetSlaTargetsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      targets: (
        await this.ops.setSlaTargets(
          ctx,
          (req.targets ?? []).map((t) => ({
            priority: t.priority as Priority,
            firstResponseMinutes: t.firstResponseMinutes,
            resolutionMinutes: t.resolutionMinutes,
          })),
          req.operatorId ?? '',
        )
      ).map(slaToProto),
    }));
  }

  getSlaTargets(
    _req: supportV1.GetSlaTargetsRequest,
    md?: Metadata,
  ): Promise<supportV1.GetSlaTargetsResponse> {
    return withGrpcContext(md, async (ctx) => ({
      targets: (await this.ops.slaTargets(ctx)).map(slaToProto),
    }));
  }

  getSupportKpis(
    req: supportV1.GetSupportKpisRequest,
    md?: Metadata,
  ): Promise<supportV1.GetSupportKpisResponse> {
    return withGrpcContext(md, async (ctx) => {
      const { agents, team } = await this.ops.kpis(ctx, req.from ?? '', req.to ?? '');
      return { agents, team };
    });
  }

  exportComplaintInsights(
    req: supportV1.ExportComplaintInsightsRequest,
    md?: Metadata,
  ): Promise<supportV1.ExportComplaintInsightsResponse> {
    return withGrpcContext(md, async (ctx) => this.ops.insights(ctx, req.week ?? ''));
  }
}
