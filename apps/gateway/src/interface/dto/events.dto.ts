import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsString,
  ValidateNested,
} from 'class-validator';
import { IsInt32, Optional } from './validators';

/**
 * `POST /v1/events`: the gateway checks the structure only (an object, `events` an array of 1 to
 * MAX_EVENT_BATCH objects, each field of its JSON type; a structural error is a plain 400 for
 * the whole batch). What each event means (its type, ids, times, which fields its type needs)
 * the analytics service checks: it keeps the valid events and names each invalid one.
 */

/** Events in one request (the analytics service's batch limit). */
export const MAX_EVENT_BATCH = 100;
/** Bytes in one request's body. */
export const MAX_EVENT_BODY_BYTES = 256 * 1024;

const text = (description: string, example?: string) =>
  ApiPropertyOptional({ type: String, description, ...(example ? { example } : {}) });

export class UtmDto {
  @text('utm_source', 'newsletter') @Optional() @IsString() source?: string;
  @text('utm_medium', 'email') @Optional() @IsString() medium?: string;
  @text('utm_campaign', 'double11') @Optional() @IsString() campaign?: string;
  @text('utm_term') @Optional() @IsString() term?: string;
  @text('utm_content') @Optional() @IsString() content?: string;
}

export class DeviceDto {
  @text('mobile, desktop, tablet or app', 'mobile') @Optional() @IsString() type?: string;
  @text('operating system', 'iOS') @Optional() @IsString() os?: string;
  @text('browser', 'Safari') @Optional() @IsString() browser?: string;
}

export class BehaviourEventDto {
  @text(
    'a UUID chosen by the client: the same id twice is one event',
    '0b6f8a52-2f0e-4f4b-9a57-1f2f8f3c9d11',
  )
  @Optional()
  @IsString()
  eventId?: string;

  @text(
    'page_view, product_view, search, add_to_cart, remove_from_cart, checkout_started, banner_click, experiment_exposure',
    'product_view',
  )
  @Optional()
  @IsString()
  type?: string;

  @text("the browser's or app's visitor id: 1 to 64 of A-Z a-z 0-9 _ -", 'v-7f3a9c')
  @Optional()
  @IsString()
  anonymousId?: string;

  @text('the storefront session') @Optional() @IsString() sessionId?: string;

  @text('when it happened on the client (RFC 3339 with a zone)', '2026-11-11T10:00:00+08:00')
  @Optional()
  @IsString()
  occurredAt?: string;

  @text('web, app or mini_program', 'web') @Optional() @IsString() channel?: string;

  @ApiPropertyOptional({ type: UtmDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => UtmDto)
  utm?: UtmDto;

  @text('the referring URL') @Optional() @IsString() referrer?: string;

  @ApiPropertyOptional({ type: DeviceDto })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceDto)
  device?: DeviceDto;

  @text('the page (path) shown', '/p/phone-case') @Optional() @IsString() page?: string;
  @text('product_view, add_to_cart, remove_from_cart: the product (UUID)')
  @Optional()
  @IsString()
  productId?: string;
  @text('add_to_cart, remove_from_cart: the SKU (UUID)') @Optional() @IsString() skuId?: string;
  @ApiPropertyOptional({ description: 'add_to_cart, remove_from_cart: units' })
  @Optional()
  @IsInt32()
  quantity?: number;
  @text('search: the query') @Optional() @IsString() query?: string;
  @ApiPropertyOptional({ description: 'search: how many results it showed' })
  @Optional()
  @IsInt32()
  resultCount?: number;
  @text('banner_click: the banner') @Optional() @IsString() bannerId?: string;
  @text('experiment_exposure: the experiment') @Optional() @IsString() experimentKey?: string;
  @text('experiment_exposure: the variant shown') @Optional() @IsString() variant?: string;
}

export class IngestEventsDto {
  @ApiProperty({
    type: [BehaviourEventDto],
    description: `1 to ${MAX_EVENT_BATCH} events (the body at most ${MAX_EVENT_BODY_BYTES / 1024} KiB); the account comes from the access token, the receive time from the gateway`,
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'events must hold at least one event' })
  @ArrayMaxSize(MAX_EVENT_BATCH, {
    message: `events must hold at most ${MAX_EVENT_BATCH} events; send more in several requests`,
  })
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => BehaviourEventDto)
  events!: BehaviourEventDto[];
}

// ---- responses

export class EventsAcceptedView {
  @ApiProperty({ description: 'events kept (a repeated event id counts, and changes nothing)' })
  accepted!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    maxItems: 0,
    description: 'always empty on a 202 (some refused: a 400 INVALID_EVENTS naming each)',
  })
  rejected!: never[];
}

export class EventErrorView {
  @ApiProperty({ description: "the event's position in the batch (0-based)" }) index!: number;
  @ApiProperty({ description: "the event's id as sent ('' when it had none)" }) eventId!: string;
  @ApiProperty({ example: 'occurredAt', description: 'the field at fault' }) field!: string;
  @ApiProperty({ example: 'OCCURRED_AT_INVALID', description: 'stable code' }) code!: string;
  @ApiProperty() detail!: string;
  @ApiProperty({ description: 'the same as detail (as in other problems)' }) message!: string;
}

/** The 400 INVALID_EVENTS problem: ProblemView's members, `accepted`, and `errors` per event. */
export class InvalidEventsProblemView {
  @ApiProperty({ example: 'https://emporia.dev/problems/invalid-events' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty() detail!: string;
  @ApiPropertyOptional({ example: '/v1/events' }) instance?: string;
  @ApiProperty({ example: 'INVALID_EVENTS' }) code!: string;
  @ApiPropertyOptional() traceId?: string;
  @ApiProperty({ description: 'valid events of the batch, kept' }) accepted!: number;
  @ApiProperty({ type: [EventErrorView], description: 'each refused event' })
  errors!: EventErrorView[];
}
