import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LOCALES, PRIORITIES, QUEUES, TICKET_CATEGORIES, TICKET_STATUSES } from './support.dto';

/**
 * Responses of the support routes: camelCase of `proto/emporia/support/v1`, times RFC 3339,
 * what the service leaves unset `null`. A customer's views carry no internal note, no agent's
 * account id and no SLA bookkeeping; agents' views add them.
 */

export class SurveyView {
  @ApiProperty({ minimum: 1, maximum: 5 }) rating!: number;
  @ApiProperty() comment!: string;
  @ApiProperty({ format: 'date-time' }) submittedAt!: string;
}

/** A ticket as its owner sees it. */
export class TicketView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: TICKET_CATEGORIES }) category!: string;
  @ApiProperty({ enum: PRIORITIES, description: 'from the category and the membership tier' })
  priority!: string;
  @ApiProperty({
    enum: TICKET_STATUSES,
    description:
      'BOT (the bot is answering), OPEN (waiting for a person), ASSIGNED, WAITING_CUSTOMER (answered, waiting for you), RESOLVED, CLOSED',
  })
  status!: string;
  @ApiProperty({ enum: QUEUES }) queue!: string;
  @ApiProperty() subject!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) orderId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) skuId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' })
  shipmentId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) returnId!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'when a person is due to answer (null while the bot has it)',
  })
  firstResponseDueAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  resolutionDueAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  resolvedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: "the agent's note" })
  resolutionNote!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'a resolved ticket may be reopened until then',
  })
  reopenUntil!: string | null;
  @ApiProperty() reopenCount!: number;
  @ApiPropertyOptional({ nullable: true, type: SurveyView }) survey!: SurveyView | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  handedOffAt!: string | null;
  @ApiPropertyOptional({
    nullable: true,
    enum: ['CUSTOMER_ASKED', 'BOT_CANNOT_ANSWER', 'CATEGORY'],
    type: String,
  })
  handoffReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

/** A ticket as agents see it: the owner, the assignee and the SLA clocks. */
export class AgentTicketView extends TicketView {
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' })
  assigneeId!: string | null;
  @ApiProperty({ description: 'the membership tier the priority came from' }) tierCode!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  firstRespondedAt!: string | null;
  @ApiProperty() firstResponseBreached!: boolean;
  @ApiProperty() resolutionBreached!: boolean;
  @ApiProperty() escalated!: boolean;
  @ApiProperty({ type: [String] }) warehouseCodes!: string[];
}

/** A message as its ticket's owner sees it (internal notes are never among them). */
export class TicketMessageView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['CUSTOMER', 'AGENT', 'BOT', 'SYSTEM'] }) authorKind!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: [String] }) attachmentUrls!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AgentTicketMessageView extends TicketMessageView {
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' })
  authorId!: string | null;
  @ApiProperty({ description: 'an agents-only note' }) internal!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) templateId!: string | null;
}

export class TicketConversationView {
  @ApiProperty({ type: TicketView }) ticket!: TicketView;
  @ApiProperty({ type: [TicketMessageView], description: 'oldest first' })
  messages!: TicketMessageView[];
}

export class AgentTicketConversationView {
  @ApiProperty({ type: AgentTicketView }) ticket!: AgentTicketView;
  @ApiProperty({ type: [AgentTicketMessageView], description: 'oldest first, notes included' })
  messages!: AgentTicketMessageView[];
}

export class TicketPage {
  @ApiProperty({ type: [TicketView] }) items!: TicketView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class AgentTicketPage {
  @ApiProperty({ type: [AgentTicketView] }) items!: AgentTicketView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ReplyTemplateView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: TICKET_CATEGORIES, isArray: true, description: 'empty: all' })
  categories!: string[];
  @ApiProperty({ enum: LOCALES }) locale!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ description: 'the operator who wrote it last' }) updatedBy!: string;
}

export class ReplyTemplateList {
  @ApiProperty({ type: [ReplyTemplateView] }) items!: ReplyTemplateView[];
}

export class SuggestedReplyView {
  @ApiProperty({ type: ReplyTemplateView }) template!: ReplyTemplateView;
  @ApiProperty({ description: "the body with the ticket's values filled in" }) rendered!: string;
  @ApiProperty({ type: [String], description: 'variables the ticket had no value for' })
  missingVariables!: string[];
}

export class SuggestedReplyList {
  @ApiProperty({ type: [SuggestedReplyView] }) items!: SuggestedReplyView[];
}

export class AgentView {
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: QUEUES, isArray: true }) queues!: string[];
  @ApiProperty() onShift!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' })
  lastAssignedAt!: string | null;
}

export class AgentList {
  @ApiProperty({ type: [AgentView] }) items!: AgentView[];
}

export class SlaTargetView {
  @ApiProperty({ enum: PRIORITIES }) priority!: string;
  @ApiProperty() firstResponseMinutes!: number;
  @ApiProperty() resolutionMinutes!: number;
}

export class SlaTargetsView {
  @ApiProperty({ type: [SlaTargetView] }) targets!: SlaTargetView[];
}

export class AgentKpisView {
  @ApiPropertyOptional({ nullable: true, type: String, description: 'null: the team' })
  agentId!: string | null;
  @ApiProperty() ticketsAssigned!: number;
  @ApiProperty() ticketsResolved!: number;
  @ApiProperty({ description: 'resolved / assigned, 0..1' }) resolutionRate!: number;
  @ApiProperty({ description: 'of the resolved, the share reopened' }) reopenRate!: number;
  @ApiProperty({ description: 'seconds from hand-off to the first reply' })
  firstResponseSecondsAvg!: number;
  @ApiProperty() firstResponseSecondsP50!: number;
  @ApiProperty({ description: 'seconds from hand-off to resolution' })
  resolutionSecondsAvg!: number;
  @ApiProperty() resolutionSecondsP50!: number;
  @ApiProperty({ description: 'mean survey rating (0: none)' }) satisfactionAvg!: number;
  @ApiProperty() surveys!: number;
  @ApiProperty() slaBreaches!: number;
}

export class SupportKpisView {
  @ApiProperty({ type: [AgentKpisView] }) agents!: AgentKpisView[];
  @ApiProperty({ type: AgentKpisView }) team!: AgentKpisView;
}

export class ComplaintInsightRowView {
  @ApiProperty({ enum: TICKET_CATEGORIES }) category!: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) skuId!: string | null;
  @ApiProperty() warehouseCode!: string;
  @ApiProperty() tickets!: number;
}

export class ComplaintInsightsView {
  @ApiProperty({ example: '2026-W48' }) week!: string;
  @ApiProperty({ type: [ComplaintInsightRowView] }) rows!: ComplaintInsightRowView[];
}
