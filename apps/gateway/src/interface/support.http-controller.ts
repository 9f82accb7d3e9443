import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@emporia/platform';
import { SUPPORT_BACKEND, type Principal, type SupportBackend } from '../application/ports';
import { ApiProblemCodes } from './api-problems';
import { Auth, Caller } from './auth.guard';
import {
  AgentMessageDto,
  AgentShiftDto,
  CustomerMessageDto,
  EscalateTicketDto,
  InsightsQuery,
  KpisRangeQuery,
  ListMyTicketsQuery,
  OpenTicketDto,
  QUEUES,
  QueueQuery,
  ReopenTicketDto,
  ReplyTemplateDto,
  ResolveTicketDto,
  SlaTargetsDto,
  SurveyDto,
  TEMPLATE_ID,
  TemplatesQuery,
} from './dto/support.dto';
import {
  AgentList,
  AgentTicketConversationView,
  AgentTicketPage,
  AgentView,
  ComplaintInsightsView,
  ReplyTemplateList,
  ReplyTemplateView,
  SlaTargetsView,
  SuggestedReplyList,
  SupportKpisView,
  TicketConversationView,
  TicketPage,
} from './dto/support-views.dto';
import { Idempotent, idempotencyKey } from './idempotency.interceptor';
import { cursorOf } from './mappers';
import { patternParam } from './path-params';
import { RateLimit } from './rate-limit.guard';
import { Ctx } from './request-context';
import { derivedUuid } from './sku-prices.http-controller';
import {
  agentConversationView,
  agentTicketView,
  agentView,
  conversationView,
  insightsView,
  kpisView,
  suggestedReplyView,
  templateToProto,
  templateView,
  ticketView,
  wantsCsv,
} from './support-mappers';
import { uuidParam } from './uuid-param';

/** The support service's codes per HTTP status (its README and the gateway README list them). */
const TICKET_INPUT = [
  'CATEGORY_INVALID',
  'SUBJECT_INVALID',
  'BODY_INVALID',
  'ATTACHMENT_URL_INVALID',
  'LOCALE_INVALID',
];
const MESSAGE_INPUT = ['BODY_INVALID', 'ATTACHMENT_URL_INVALID'];
/** A move the ticket's state does not allow (support's state machine). */
const STATE = ['TICKET_STATE_INVALID'];
const queueParam = patternParam(
  'queue',
  new RegExp(`^(${QUEUES.join('|')})$`),
  QUEUES.join(' or '),
);
const templateIdParam = patternParam('id', TEMPLATE_ID, "1-64 letters, digits, '_' or '-'");

/**
 * Customers' tickets: the account is always the token's (a body cannot name one), and a ticket
 * of another account is `404 TICKET_NOT_FOUND`, as if it did not exist. Internal notes never
 * reach these answers.
 */
@ApiTags('support')
@Auth()
@Controller('v1/support/tickets')
export class SupportHttpController {
  constructor(@Inject(SUPPORT_BACKEND) private readonly support: SupportBackend) {}

  @Post()
  @RateLimit('support')
  @Idempotent()
  @ApiCreatedResponse({
    type: TicketConversationView,
    description:
      'the ticket and its conversation so far: the bot answers at once when it can (status BOT); otherwise, or for categories that go to a person, it waits in a queue (OPEN). The same Idempotency-Key opens one ticket.',
  })
  @ApiProblemCodes({ 400: TICKET_INPUT, 404: ['ORDER_NOT_FOUND', 'LINE_NOT_FOUND'] })
  async open(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: OpenTicketDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TicketConversationView> {
    const key = idempotencyKey(req, false);
    const r = await this.support.openTicket(ctx, {
      accountId: me.accountId,
      category: body.category,
      subject: body.subject,
      body: body.body,
      attachmentUrls: body.attachmentUrls ?? [],
      orderId: body.orderId ?? '',
      skuId: body.skuId ?? '',
      shipmentId: body.shipmentId ?? '',
      returnId: body.returnId ?? '',
      locale: body.locale ?? '',
      // the key is the caller's own: two accounts' equal keys are two requests
      requestId: key ? derivedUuid('open-ticket', me.accountId, key) : '',
    });
    void reply.status(201).header('location', `/v1/support/tickets/${r.ticket!.id}`);
    return conversationView(r);
  }

  @Get()
  @ApiOkResponse({ type: TicketPage, description: 'my tickets, newest first' })
  @ApiProblemCodes({ 400: ['STATUS_INVALID', 'INVALID_CURSOR'] })
  async list(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Query() q: ListMyTicketsQuery,
  ): Promise<TicketPage> {
    const r = await this.support.listMyTickets(ctx, {
      accountId: me.accountId,
      status: q.status ?? '',
      cursor: q.cursor ?? '',
      limit: q.limit ?? 0,
    });
    return { items: r.tickets.map(ticketView), nextCursor: cursorOf(r.nextCursor) };
  }

  @Get(':id')
  @ApiOkResponse({ type: TicketConversationView })
  @ApiProblemCodes({ 404: ['TICKET_NOT_FOUND'] })
  async get(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<TicketConversationView> {
    return conversationView(
      await this.support.getTicket(ctx, { ticketId: id, accountId: me.accountId, agentId: '' }),
    );
  }

  @Post(':id/messages')
  @RateLimit('support')
  @Idempotent()
  @ApiCreatedResponse({
    type: TicketConversationView,
    description:
      "the ticket, your message and the bot's answer if it has the ticket (asking for a person hands it over)",
  })
  @ApiProblemCodes({
    400: MESSAGE_INPUT,
    404: ['TICKET_NOT_FOUND'],
    422: ['TICKET_CLOSED', ...STATE],
  })
  async message(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: CustomerMessageDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TicketConversationView> {
    const r = await this.support.postCustomerMessage(ctx, {
      ticketId: id,
      accountId: me.accountId,
      body: body.body,
      attachmentUrls: body.attachmentUrls ?? [],
    });
    void reply.status(201);
    return conversationView(r);
  }

  @Post(':id/handoff')
  @HttpCode(200)
  @ApiOkResponse({
    type: TicketConversationView,
    description: 'the same ticket and conversation, now in a queue for a person',
  })
  @ApiProblemCodes({ 404: ['TICKET_NOT_FOUND'], 422: STATE })
  async handoff(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<TicketConversationView> {
    return conversationView(
      await this.support.requestHandoff(ctx, { ticketId: id, accountId: me.accountId }),
    );
  }

  @Post(':id/survey')
  @HttpCode(200)
  @ApiOkResponse({ type: TicketConversationView, description: 'once, after resolution' })
  @ApiProblemCodes({
    400: ['RATING_INVALID', 'COMMENT_INVALID'],
    404: ['TICKET_NOT_FOUND'],
    409: ['SURVEY_ALREADY_SUBMITTED'],
    422: ['TICKET_NOT_RESOLVED'],
  })
  async survey(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: SurveyDto,
  ): Promise<TicketConversationView> {
    return conversationView(
      await this.support.submitSurvey(ctx, {
        ticketId: id,
        accountId: me.accountId,
        rating: body.rating,
        comment: body.comment ?? '',
      }),
    );
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @RateLimit('support')
  @ApiOkResponse({
    type: TicketConversationView,
    description: 'back in a queue, within the reopen window after resolution',
  })
  @ApiProblemCodes({
    400: ['BODY_INVALID'],
    404: ['TICKET_NOT_FOUND'],
    422: ['REOPEN_WINDOW_CLOSED', ...STATE],
  })
  async reopen(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: ReopenTicketDto,
  ): Promise<TicketConversationView> {
    return conversationView(
      await this.support.reopenTicket(ctx, {
        ticketId: id,
        accountId: me.accountId,
        body: body.body,
      }),
    );
  }
}

/**
 * Agents' work (`@Auth('agent')`; operators hold the agent role too): queues, claiming,
 * replies and internal notes, resolution, escalation, shifts. The agent is the token's.
 */
@ApiTags('support agents')
@Auth('agent')
@Controller('v1/agent')
export class AgentSupportHttpController {
  constructor(@Inject(SUPPORT_BACKEND) private readonly support: SupportBackend) {}

  @Get('queues/:queue/tickets')
  @ApiOkResponse({ type: AgentTicketPage, description: 'most urgent first' })
  @ApiProblemCodes({ 400: ['STATUS_INVALID', 'INVALID_CURSOR'], 403: ['NOT_IN_QUEUE'] })
  async queue(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('queue', queueParam) queue: string,
    @Query() q: QueueQuery,
  ): Promise<AgentTicketPage> {
    const r = await this.support.listQueue(ctx, {
      agentId: me.accountId,
      queue,
      status: q.status ?? '',
      mine: q.mine === 'true',
      cursor: q.cursor ?? '',
      limit: q.limit ?? 0,
    });
    return { items: r.tickets.map(agentTicketView), nextCursor: cursorOf(r.nextCursor) };
  }

  @Get('tickets/:id')
  @ApiOkResponse({ type: AgentTicketConversationView, description: 'internal notes included' })
  @ApiProblemCodes({ 404: ['TICKET_NOT_FOUND'] })
  async get(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<AgentTicketConversationView> {
    return agentConversationView(
      await this.support.getTicket(ctx, { ticketId: id, accountId: '', agentId: me.accountId }),
    );
  }

  @Post('tickets/:id/claim')
  @HttpCode(200)
  @ApiOkResponse({ type: AgentTicketConversationView, description: 'assigned to me' })
  @ApiProblemCodes({
    404: ['TICKET_NOT_FOUND'],
    409: ['ALREADY_CLAIMED'],
    422: ['NOT_IN_QUEUE', ...STATE],
  })
  async claim(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<AgentTicketConversationView> {
    return agentConversationView(
      await this.support.claimTicket(ctx, { ticketId: id, agentId: me.accountId }),
    );
  }

  @Post('tickets/:id/messages')
  @Idempotent()
  @ApiCreatedResponse({
    type: AgentTicketConversationView,
    description:
      'a reply to the customer (stops the first-response clock), or with internal: true a note only agents see',
  })
  @ApiProblemCodes({
    400: MESSAGE_INPUT,
    403: ['NOT_IN_QUEUE'],
    404: ['TICKET_NOT_FOUND', 'TEMPLATE_NOT_FOUND'],
    422: ['TICKET_CLOSED', ...STATE],
  })
  async message(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: AgentMessageDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AgentTicketConversationView> {
    const r = await this.support.postAgentMessage(ctx, {
      ticketId: id,
      agentId: me.accountId,
      body: body.body,
      attachmentUrls: body.attachmentUrls ?? [],
      internal: body.internal ?? false,
      templateId: body.templateId ?? '',
    });
    void reply.status(201);
    return agentConversationView(r);
  }

  @Post('tickets/:id/resolve')
  @HttpCode(200)
  @ApiOkResponse({
    type: AgentTicketConversationView,
    description: 'resolved: the customer may answer the survey, or reopen within the window',
  })
  @ApiProblemCodes({
    400: ['NOTE_INVALID'],
    403: ['NOT_IN_QUEUE'],
    404: ['TICKET_NOT_FOUND'],
    422: STATE,
  })
  async resolve(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: ResolveTicketDto,
  ): Promise<AgentTicketConversationView> {
    return agentConversationView(
      await this.support.resolveTicket(ctx, {
        ticketId: id,
        agentId: me.accountId,
        resolutionNote: body.resolutionNote ?? '',
      }),
    );
  }

  @Post('tickets/:id/escalate')
  @HttpCode(200)
  @ApiOkResponse({ type: AgentTicketConversationView, description: 'moved to the senior queue' })
  @ApiProblemCodes({
    400: ['REASON_INVALID'],
    403: ['NOT_IN_QUEUE'],
    404: ['TICKET_NOT_FOUND'],
    422: ['ALREADY_ESCALATED', ...STATE],
  })
  async escalate(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
    @Body() body: EscalateTicketDto,
  ): Promise<AgentTicketConversationView> {
    return agentConversationView(
      await this.support.escalateTicket(ctx, {
        ticketId: id,
        agentId: me.accountId,
        reason: body.reason ?? '',
      }),
    );
  }

  @Get('tickets/:id/suggested-replies')
  @ApiOkResponse({
    type: SuggestedReplyList,
    description: "templates for the ticket's category and locale, filled with its values",
  })
  @ApiProblemCodes({ 404: ['TICKET_NOT_FOUND'] })
  async suggestions(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<SuggestedReplyList> {
    const r = await this.support.suggestReplies(ctx, { ticketId: id, agentId: me.accountId });
    return { items: r.replies.map(suggestedReplyView) };
  }

  @Put('shift')
  @ApiOkResponse({ type: AgentView, description: 'me, on or off shift' })
  @ApiProblemCodes({ 400: ['NAME_INVALID', 'QUEUE_INVALID'] })
  async shift(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: AgentShiftDto,
  ): Promise<AgentView> {
    const r = await this.support.setAgentShift(ctx, {
      agentId: me.accountId,
      displayName: body.displayName,
      onShift: body.onShift,
      queues: body.queues ?? [],
    });
    return agentView(r.agent!);
  }

  @Get('agents')
  @ApiOkResponse({ type: AgentList })
  @ApiProblemCodes({})
  async agents(@Ctx() ctx: RequestContext): Promise<AgentList> {
    return { items: (await this.support.listAgents(ctx, {})).agents.map(agentView) };
  }
}

/**
 * Supervisors' settings and figures (`@Auth('operator')`): reply templates, SLA targets, KPIs
 * per agent and team, the weekly complaint export (JSON, or CSV as a download).
 */
@ApiTags('support admin')
@ApiExtraModels(ComplaintInsightsView)
@Auth('operator')
@Controller('v1/admin/support')
export class SupportAdminHttpController {
  constructor(@Inject(SUPPORT_BACKEND) private readonly support: SupportBackend) {}

  @Get('templates')
  @ApiOkResponse({ type: ReplyTemplateList })
  @ApiProblemCodes({})
  async templates(
    @Ctx() ctx: RequestContext,
    @Query() q: TemplatesQuery,
  ): Promise<ReplyTemplateList> {
    const r = await this.support.listReplyTemplates(ctx, {
      category: q.category ?? '',
      locale: q.locale ?? '',
    });
    return { items: r.templates.map(templateView) };
  }

  @Post('templates')
  @Idempotent()
  @ApiCreatedResponse({ type: ReplyTemplateView, description: 'a new template, with its id' })
  @ApiProblemCodes({ 400: ['TEMPLATE_INVALID', 'NAME_INVALID', 'LOCALE_INVALID'] })
  async createTemplate(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: ReplyTemplateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReplyTemplateView> {
    const r = await this.support.upsertReplyTemplate(ctx, {
      // no id: support creates the template and gives it one
      template: templateToProto('', body),
      operatorId: me.accountId,
    });
    void reply.status(201).header('location', `/v1/admin/support/templates/${r.template!.id}`);
    return templateView(r.template!);
  }

  @Put('templates/:id')
  @ApiOkResponse({ type: ReplyTemplateView, description: 'replaced (create with POST)' })
  @ApiProblemCodes({
    400: ['TEMPLATE_INVALID', 'NAME_INVALID', 'LOCALE_INVALID'],
    404: ['TEMPLATE_NOT_FOUND'],
  })
  async putTemplate(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', templateIdParam) id: string,
    @Body() body: ReplyTemplateDto,
  ): Promise<ReplyTemplateView> {
    const r = await this.support.upsertReplyTemplate(ctx, {
      template: templateToProto(id, body),
      operatorId: me.accountId,
    });
    return templateView(r.template!);
  }

  @Delete('templates/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiProblemCodes({ 404: ['TEMPLATE_NOT_FOUND'] })
  async deleteTemplate(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Param('id', templateIdParam) id: string,
  ): Promise<void> {
    await this.support.deleteReplyTemplate(ctx, { templateId: id, operatorId: me.accountId });
  }

  @Get('sla')
  @ApiOkResponse({ type: SlaTargetsView })
  @ApiProblemCodes({})
  async sla(@Ctx() ctx: RequestContext): Promise<SlaTargetsView> {
    const r = await this.support.getSlaTargets(ctx, {});
    return { targets: r.targets.map((t) => ({ ...t })) };
  }

  @Put('sla')
  @ApiOkResponse({
    type: SlaTargetsView,
    description: 'the targets after the change (tickets handed off from now on use them)',
  })
  @ApiProblemCodes({ 400: ['SLA_TARGETS_INVALID'] })
  async setSla(
    @Ctx() ctx: RequestContext,
    @Caller() me: Principal,
    @Body() body: SlaTargetsDto,
  ): Promise<SlaTargetsView> {
    const r = await this.support.setSlaTargets(ctx, {
      targets: body.targets.map((t) => ({
        priority: t.priority,
        firstResponseMinutes: t.firstResponseMinutes,
        resolutionMinutes: t.resolutionMinutes,
      })),
      operatorId: me.accountId,
    });
    return { targets: r.targets.map((t) => ({ ...t })) };
  }

  @Get('kpis')
  @ApiOkResponse({
    type: SupportKpisView,
    description: 'per agent and for the team, over tickets handed off in [from, to)',
  })
  @ApiProblemCodes({ 400: ['RANGE_INVALID'] })
  async kpis(@Ctx() ctx: RequestContext, @Query() q: KpisRangeQuery): Promise<SupportKpisView> {
    const r = await this.support.getSupportKpis(ctx, { from: q.from, to: q.to });
    return { agents: r.agents.map(kpisView), team: kpisView(r.team!) };
  }

  @Get('insights')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description:
      'complaints of the week by category, SKU and warehouse: JSON, or with format=csv or Accept: text/csv a CSV download (header line first, Content-Disposition: attachment; filename="complaints-<week>.csv")',
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/ComplaintInsightsView' } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiProblemCodes({ 400: ['WEEK_INVALID'] })
  async insights(
    @Ctx() ctx: RequestContext,
    @Query() q: InsightsQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ComplaintInsightsView | string> {
    const r = await this.support.exportComplaintInsights(ctx, { week: q.week });
    if (!wantsCsv(q.format, accept)) return insightsView(r);
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="complaints-${q.week}.csv"`);
    return r.csv;
  }
}
