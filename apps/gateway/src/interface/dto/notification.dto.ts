import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from './query.dto';
import { IsRfc3339, Optional, OptionalNullable } from './validators';

/**
 * Requests and views of the notification routes: camelCase of `proto/emporia/notification/v1`,
 * enumerations without their prefix (`EMAIL`, `MARKETING`, `SENT`), times RFC 3339, what the
 * service leaves unset `null`. The gateway checks shapes and enumerations; the notification
 * service checks the rest (`TIME_ZONE_INVALID`, `QUIET_HOURS_INVALID`, `PREFERENCES_INVALID` …).
 */

export const CHANNELS = ['EMAIL', 'SMS', 'PUSH'] as const;
/** The categories a customer chooses channels for (OPERATIONS is operators' alerts). */
export const CUSTOMER_CATEGORIES = ['ORDER', 'SERVICE', 'MARKETING'] as const;
/** SECURITY: sign-ins from a new device and security changes, always sent (no preference). */
export const MESSAGE_CATEGORIES = [...CUSTOMER_CATEGORIES, 'OPERATIONS', 'SECURITY'] as const;
export const DELIVERY_STATUSES = [
  'PENDING',
  'HELD',
  'SENT',
  'DELIVERED',
  'UNDELIVERED',
  'DEAD',
  'SKIPPED',
] as const;
export const NOTIFICATION_LOCALES = ['zh-CN', 'en'] as const;
export const PUSH_PLATFORMS = ['IOS', 'ANDROID', 'HARMONY'] as const;
export const RECEIPT_STATUSES = ['DELIVERED', 'UNDELIVERED'] as const;
/** A push token as providers issue them (APNs hex, FCM's `id:payload`, base64url). */
export const PUSH_TOKEN = /^[A-Za-z0-9:._-]{8,512}$/;
/** A template key such as order.shipped (one simple pattern, so generators can meet it). */
export const TEMPLATE_KEY = /^[a-z][a-z0-9_.-]{0,63}$/;
/** An unsubscribe token as the notification service signs them (URL-safe, at most 1024). */
export const UNSUBSCRIBE_TOKEN = /^[A-Za-z0-9._~+/=-]{1,1024}$/;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

const oneOf = (what: string, values: readonly string[]) => ({
  message: `${what} must be one of ${values.join(', ')}`,
});

// ---- customers

export class CategoryChannelsDto {
  @ApiProperty({ enum: CUSTOMER_CATEGORIES })
  @IsIn(CUSTOMER_CATEGORIES, oneOf('category', CUSTOMER_CATEGORIES))
  category!: (typeof CUSTOMER_CATEGORIES)[number];

  @ApiProperty() @IsBoolean() email!: boolean;
  @ApiProperty() @IsBoolean() sms!: boolean;
  @ApiProperty() @IsBoolean() push!: boolean;
}

/** `PUT /v1/me/notification-preferences`: what GET shows (minus `updatedAt`) can be PUT back. */
export class PreferencesDto {
  @ApiProperty({
    type: [CategoryChannelsDto],
    description:
      'channels per category, each category at most once (PREFERENCES_INVALID otherwise); a category left out keeps its default',
  })
  @IsArray()
  @ArrayMaxSize(CUSTOMER_CATEGORIES.length)
  @ValidateNested({ each: true })
  @Type(() => CategoryChannelsDto)
  channels!: CategoryChannelsDto[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    pattern: HH_MM.source,
    example: '22:00',
    description:
      'quiet hours start, HH:MM in timeZone (with quietHoursEnd; both null: none). Marketing messages due inside them wait until they end; order and service messages still go.',
  })
  @OptionalNullable()
  @Matches(HH_MM, { message: 'quietHoursStart must be HH:MM' })
  quietHoursStart?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, pattern: HH_MM.source, example: '08:00' })
  @OptionalNullable()
  @Matches(HH_MM, { message: 'quietHoursEnd must be HH:MM' })
  quietHoursEnd?: string | null;

  @ApiPropertyOptional({
    example: 'Asia/Shanghai',
    maxLength: 64,
    description: 'IANA time zone (TIME_ZONE_INVALID otherwise); left out: Asia/Shanghai',
  })
  @Optional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;

  @ApiPropertyOptional({
    enum: NOTIFICATION_LOCALES,
    nullable: true,
    description: "null: the profile's locale, else zh-CN",
  })
  @OptionalNullable()
  @IsIn(NOTIFICATION_LOCALES, oneOf('locale', NOTIFICATION_LOCALES))
  locale?: string | null;
}

export class PushDeviceDto {
  @ApiProperty({ pattern: PUSH_TOKEN.source, description: "the provider's device token" })
  @Matches(PUSH_TOKEN, { message: "token must be 8-512 letters, digits, ':', '.', '_' or '-'" })
  token!: string;

  @ApiProperty({ enum: PUSH_PLATFORMS })
  @IsIn(PUSH_PLATFORMS, oneOf('platform', PUSH_PLATFORMS))
  platform!: string;
}

// ---- public

export class UnsubscribeQuery {
  @ApiProperty({
    pattern: UNSUBSCRIBE_TOKEN.source,
    description: 'the signed token of the link in a marketing e-mail',
  })
  @Matches(UNSUBSCRIBE_TOKEN, { message: 'token must be an unsubscribe token' })
  token!: string;
}

/** RFC 8058 one-click: a mail provider posts `List-Unsubscribe=One-Click` as a form. */
export class OneClickUnsubscribeDto {
  @ApiProperty({ enum: ['One-Click'] })
  @IsIn(['One-Click'], { message: 'List-Unsubscribe must be One-Click' })
  'List-Unsubscribe'!: string;
}

/** A provider's delivery receipt; the X-Signature header signs it (see the route). */
export class ReceiptDto {
  @ApiProperty({ maxLength: 200 }) @IsString() @Length(1, 200) providerMessageId!: string;

  @ApiProperty({ enum: RECEIPT_STATUSES })
  @IsIn(RECEIPT_STATUSES, oneOf('status', RECEIPT_STATUSES))
  status!: string;

  @ApiProperty({ format: 'date-time' }) @IsRfc3339() occurredAt!: string;

  @ApiPropertyOptional({ maxLength: 100, description: "the provider's code when UNDELIVERED" })
  @Optional()
  @IsString()
  @MaxLength(100)
  errorCode?: string;
}

// ---- operators

export class DeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @Optional()
  @IsIn(DELIVERY_STATUSES, oneOf('status', DELIVERY_STATUSES))
  status?: (typeof DELIVERY_STATUSES)[number];

  @ApiPropertyOptional({ enum: CHANNELS })
  @Optional()
  @IsIn(CHANNELS, oneOf('channel', CHANNELS))
  channel?: (typeof CHANNELS)[number];

  @ApiPropertyOptional({ format: 'uuid' }) @Optional() @IsUUID() accountId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the Kafka event id' })
  @Optional()
  @IsUUID()
  eventId?: string;
}

export class TemplatesQuery {
  @ApiPropertyOptional({
    example: 'order.shipped',
    pattern: TEMPLATE_KEY.source,
    description: "one key's templates (an unknown key is 404 TEMPLATE_NOT_FOUND); omit for all",
  })
  @Optional()
  @Matches(TEMPLATE_KEY, { message: 'key must be a template key such as order.shipped' })
  key?: string;
}

export class TemplateDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'e-mail only ({{name}} variables)' })
  @Optional()
  @IsString()
  @MaxLength(200)
  subject?: string;

  @ApiProperty({ maxLength: 10000, description: 'the text with {{name}} variables' })
  @IsString()
  @Length(1, 10000)
  body!: string;
}

// ---- views

export class CategoryChannelsView {
  @ApiProperty({ enum: CUSTOMER_CATEGORIES }) category!: string;
  @ApiProperty() email!: boolean;
  @ApiProperty() sms!: boolean;
  @ApiProperty() push!: boolean;
}

export class PreferencesView {
  @ApiProperty({ type: [CategoryChannelsView] }) channels!: CategoryChannelsView[];
  @ApiPropertyOptional({ type: String, nullable: true, example: '22:00' })
  quietHoursStart!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: '08:00' })
  quietHoursEnd!: string | null;
  @ApiProperty({ example: 'Asia/Shanghai' }) timeZone!: string;
  @ApiPropertyOptional({ enum: NOTIFICATION_LOCALES, nullable: true, type: String })
  locale!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  updatedAt!: string | null;
}

export class PushDeviceView {
  @ApiProperty() token!: string;
  @ApiProperty({ enum: PUSH_PLATFORMS }) platform!: string;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
}

export class PushDeviceList {
  @ApiProperty({ type: [PushDeviceView] }) items!: PushDeviceView[];
}

/** A line of my delivery log: the recipient masked, no provider bookkeeping. */
export class MyNotificationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'emporia.order.v1.ShipmentShipped' }) eventType!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: string;
  @ApiProperty({ enum: MESSAGE_CATEGORIES }) category!: string;
  @ApiProperty({ example: 'z***@example.com', description: 'masked' }) recipient!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'why it was skipped or held: CHANNEL_OFF, NO_CONSENT, NO_ADDRESS, QUIET_HOURS',
  })
  reason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  sentAt!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  deliveredAt!: string | null;
}

export class MyNotificationPage {
  @ApiProperty({ type: [MyNotificationView] }) items!: MyNotificationView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

/** A line of the delivery log as operators see it. */
export class DeliveryView extends MyNotificationView {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uuid',
    description: "null for operators' alerts",
  })
  accountId!: string | null;
  @ApiProperty({ example: 'order.shipped' }) templateKey!: string;
  @ApiProperty({ enum: NOTIFICATION_LOCALES }) locale!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ type: String, nullable: true }) lastError!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  nextAttemptAt!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) providerMessageId!: string | null;
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryView] }) items!: DeliveryView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class NotificationTemplateView {
  @ApiProperty({ example: 'order.shipped' }) key!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: string;
  @ApiProperty({ enum: NOTIFICATION_LOCALES }) locale!: string;
  @ApiProperty({ description: 'e-mail only (empty otherwise)' }) subject!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: [String], description: 'the {{variables}} this key offers' })
  variables!: string[];
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  updatedAt!: string | null;
}

export class NotificationTemplateList {
  @ApiProperty({ type: [NotificationTemplateView] }) items!: NotificationTemplateView[];
}

export class UnsubscribedView {
  @ApiProperty({ example: true }) unsubscribed!: boolean;
  @ApiProperty({ example: 'marketing e-mail is off for this account' }) detail!: string;
}
