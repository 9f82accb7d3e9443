import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from './query.dto';
import { IsRfc3339, Optional } from './validators';

/**
 * Requests of the support routes (customers, agents, operators). The gateway checks shapes and
 * the enumerations of `proto/emporia/support/v1`; the support service checks the rest (an
 * attachment on a private host, a week that does not exist, SLA targets out of order) and
 * answers with its own code (`ATTACHMENT_URL_INVALID`, `WEEK_INVALID`, ...).
 */

export const TICKET_CATEGORIES = [
  'PRODUCT_QUALITY',
  'LOGISTICS_DELAY',
  'RETURN_REFUND',
  'ACCOUNT',
  'OTHER',
] as const;
export const TICKET_STATUSES = [
  'BOT',
  'OPEN',
  'ASSIGNED',
  'WAITING_CUSTOMER',
  'RESOLVED',
  'CLOSED',
] as const;
export const QUEUES = ['general', 'senior'] as const;
export const LOCALES = ['zh-CN', 'en'] as const;
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
/** Attachments and photos: https, at most 2048 characters, at most 9 per message or review. */
export const MAX_URLS = 9;
export const MAX_URL_LENGTH = 2048;
export const HTTPS_URL = /^https:\/\/\S+$/;
/** Template ids: UUIDs, or the support service's own seeded names. */
export const TEMPLATE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** An ISO week, 2026-W48 (W01..W53; whether W53 exists that year is the service's check). */
export const ISO_WEEK = /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/;

export const oneOf = (what: string, values: readonly string[]) => ({
  message: `${what} must be one of ${values.join(', ')}`,
});

/** Up to 9 https URLs, stored as given and never fetched (the service checks hosts). */
export const UrlList = (what: string) =>
  applyDecorators(
    ApiPropertyOptional({
      type: [String],
      description: `up to ${MAX_URLS} https URLs (${what}), at most ${MAX_URL_LENGTH} characters each, no credentials, no private or loopback host; stored as given, never fetched`,
      example: ['https://img.example.com/p/1.jpg'],
    }),
    Optional(),
    IsArray(),
    ArrayMaxSize(MAX_URLS, { message: `at most ${MAX_URLS} URLs` }),
    IsString({ each: true }),
    MaxLength(MAX_URL_LENGTH, { each: true }),
    Matches(HTTPS_URL, { each: true, message: 'each URL must be an https URL' }),
  );

/** A message text: at most 5000 characters, line breaks allowed (empty only with attachments). */
const messageBody = (description: string) =>
  applyDecorators(
    ApiProperty({
      maxLength: 5000,
      description: `${description}; empty only with attachments (BODY_INVALID otherwise)`,
    }),
    IsString(),
    MaxLength(5000),
  );

// ---- customers

export class OpenTicketDto {
  @ApiProperty({ enum: TICKET_CATEGORIES })
  @IsIn(TICKET_CATEGORIES, oneOf('category', TICKET_CATEGORIES))
  category!: string;

  @ApiProperty({ maxLength: 200, example: '快递三天没有更新' })
  @IsString()
  @MaxLength(200)
  subject!: string;

  @messageBody('the first message (the bot answers it when it can)')
  body!: string;

  @UrlList('attachments')
  attachmentUrls?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'an order of the caller' })
  @Optional()
  @IsUUID()
  orderId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'a SKU of that order' })
  @Optional()
  @IsUUID()
  skuId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'a shipment of that order' })
  @Optional()
  @IsUUID()
  shipmentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'a return of that order' })
  @Optional()
  @IsUUID()
  returnId?: string;

  @ApiPropertyOptional({ enum: LOCALES, default: 'zh-CN', description: "the bot's language" })
  @Optional()
  @IsIn(LOCALES, oneOf('locale', LOCALES))
  locale?: string;
}

export class ListMyTicketsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: TICKET_STATUSES, description: 'left out: every status' })
  @Optional()
  @IsIn(TICKET_STATUSES, oneOf('status', TICKET_STATUSES))
  status?: string;
}

export class CustomerMessageDto {
  @messageBody('the message') body!: string;
  @UrlList('attachments') attachmentUrls?: string[];
}

export class SurveyDto {
  @ApiProperty({ minimum: 1, maximum: 5, description: 'satisfaction, 1 (bad) to 5 (very good)' })
  @IsInt()
  @Min(1)
  @Max(5)
  rating!: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @Optional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class ReopenTicketDto {
  @messageBody('why (posted as your message)') body!: string;
}

// ---- agents

export class QueueQuery extends PageQuery {
  @ApiPropertyOptional({ enum: TICKET_STATUSES, description: 'left out: every open state' })
  @Optional()
  @IsIn(TICKET_STATUSES, oneOf('status', TICKET_STATUSES))
  status?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'only tickets assigned to me' })
  @Optional()
  @IsIn(['true', 'false'])
  mine?: 'true' | 'false';
}

export class AgentMessageDto {
  @messageBody('the reply, or an internal note') body!: string;
  @UrlList('attachments') attachmentUrls?: string[];

  @ApiPropertyOptional({
    default: false,
    description: 'an agents-only note: never shown to the customer',
  })
  @Optional()
  @IsBoolean()
  internal?: boolean;

  @ApiPropertyOptional({ pattern: TEMPLATE_ID.source, description: 'the template started from' })
  @Optional()
  @Matches(TEMPLATE_ID, { message: 'templateId must be 1-64 letters, digits, _ or -' })
  templateId?: string;
}

export class ResolveTicketDto {
  @ApiPropertyOptional({ maxLength: 2000, description: 'what was done' })
  @Optional()
  @IsString()
  @MaxLength(2000)
  resolutionNote?: string;
}

export class EscalateTicketDto {
  @ApiPropertyOptional({ maxLength: 2000 })
  @Optional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class AgentShiftDto {
  @ApiProperty({ minLength: 1, maxLength: 100, description: 'shown to colleagues' })
  @IsString()
  @Length(1, 100)
  displayName!: string;

  @ApiProperty({ description: 'on shift: round-robin assignment of my queues includes me' })
  @IsBoolean()
  onShift!: boolean;

  @ApiPropertyOptional({
    enum: QUEUES,
    isArray: true,
    description: 'the queues I work; left out or empty: unchanged (general for a new agent)',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(QUEUES.length)
  @IsIn(QUEUES, { each: true, ...oneOf('each queue', QUEUES) })
  queues?: string[];
}

// ---- operators

export class ReplyTemplateDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Where is my parcel' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({
    enum: TICKET_CATEGORIES,
    isArray: true,
    description: 'suggested for these categories; empty or left out: all',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(TICKET_CATEGORIES.length)
  @IsIn(TICKET_CATEGORIES, { each: true, ...oneOf('each category', TICKET_CATEGORIES) })
  categories?: string[];

  @ApiProperty({ enum: LOCALES })
  @IsIn(LOCALES, oneOf('locale', LOCALES))
  locale!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 5000,
    description:
      'text with variables: {{order_id}}, {{tracking_number}}, {{carrier}}, {{customer_name}}, {{ticket_id}}, {{agent_name}}, {{return_id}}',
    example: '您的订单 {{order_id}} 已由 {{carrier}} 发出，运单号 {{tracking_number}}。',
  })
  @IsString()
  @Length(1, 5000)
  body!: string;
}

export class TemplatesQuery {
  @ApiPropertyOptional({ enum: TICKET_CATEGORIES })
  @Optional()
  @IsIn(TICKET_CATEGORIES, oneOf('category', TICKET_CATEGORIES))
  category?: string;

  @ApiPropertyOptional({ enum: LOCALES })
  @Optional()
  @IsIn(LOCALES, oneOf('locale', LOCALES))
  locale?: string;
}

export class SlaTargetDto {
  @ApiProperty({ enum: PRIORITIES })
  @IsIn(PRIORITIES, oneOf('priority', PRIORITIES))
  priority!: string;

  @ApiProperty({ minimum: 1, maximum: 43_200, description: 'minutes to the first reply' })
  @IsInt()
  @Min(1)
  @Max(43_200)
  firstResponseMinutes!: number;

  @ApiProperty({ minimum: 1, maximum: 43_200, description: 'minutes to resolution' })
  @IsInt()
  @Min(1)
  @Max(43_200)
  resolutionMinutes!: number;
}

export class SlaTargetsDto {
  @ApiProperty({
    type: [SlaTargetDto],
    description:
      'the whole table: one per priority (P1..P4), first response ≤ resolution ≤ 30 days, a more urgent priority never slower (SLA_TARGETS_INVALID)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PRIORITIES.length)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => SlaTargetDto)
  targets!: SlaTargetDto[];
}

export class KpisRangeQuery {
  @ApiProperty({ format: 'date-time', example: '2026-11-01T00:00:00+08:00' })
  @IsRfc3339()
  from!: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-12-01T00:00:00+08:00',
    description: 'excluded',
  })
  @IsRfc3339()
  to!: string;
}

export class InsightsQuery {
  @ApiProperty({ example: '2026-W48', pattern: ISO_WEEK.source, description: 'an ISO week' })
  @Matches(ISO_WEEK, { message: 'week must be an ISO week such as 2026-W48' })
  week!: string;

  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    description: 'csv: a download (so does Accept: text/csv); default json',
  })
  @Optional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
