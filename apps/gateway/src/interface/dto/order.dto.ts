import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { BodyMayBeOmitted, Optional } from './validators';
import { MoneyDto } from './money.dto';
import { PageQuery } from './query.dto';

/** Requests and responses of the cart, checkout, order and payment routes. */

export class CartLineDto {
  @ApiProperty({ minimum: 0, maximum: 999, description: '0 removes the line' })
  @IsInt()
  @Min(0)
  @Max(999)
  quantity!: number;
}

export class MergeCartDto {
  @ApiProperty({
    description: 'the X-Guest-Token the cart was built with (from POST /v1/cart/guest-token)',
    minLength: 16,
    maxLength: 128,
  })
  @IsString()
  @Length(16, 128)
  guestToken!: string;
}

export class ShippingAddressDto {
  @ApiProperty() @IsString() @MaxLength(64) recipient!: string;
  @ApiProperty({ example: '+8613800138000' }) @IsString() @MaxLength(32) phone!: string;
  @ApiProperty({ example: 'CN' }) @IsString() @MaxLength(2) country!: string;
  @ApiProperty() @IsString() @MaxLength(64) province!: string;
  @ApiProperty() @IsString() @MaxLength(64) city!: string;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(64) district?: string;
  @ApiProperty() @IsString() @MaxLength(200) line1!: string;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(200) line2?: string;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(16) postalCode?: string;
}

/** An order's shipping address as the order service snapshotted it. */
export class OrderAddressView {
  @ApiProperty() recipient!: string;
  @ApiProperty({ example: '+8613800138000' }) phone!: string;
  @ApiProperty({ example: 'CN' }) country!: string;
  @ApiProperty() province!: string;
  @ApiProperty() city!: string;
  @ApiProperty({ description: '"" when none was given' }) district!: string;
  @ApiProperty() line1!: string;
  @ApiProperty({ description: '"" when none was given' }) line2!: string;
  @ApiProperty({ description: '"" when none was given' }) postalCode!: string;
  @ApiProperty({
    example: '310000',
    description:
      'GB/T 2260 code of the province, set by checkout from the names; "" outside China or when unknown',
  })
  provinceCode!: string;
  @ApiProperty({
    example: '310100',
    description: 'GB/T 2260 code of the city; "" outside China or when unknown',
  })
  cityCode!: string;
  @ApiProperty({
    example: '310115',
    description:
      'GB/T 2260 code of the district; "" outside China, when unknown, or for a city without districts',
  })
  districtCode!: string;
}

export class CheckoutDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'an address from the address book; or give `address`',
  })
  @ValidateIf((o: CheckoutDto) => o.address === undefined)
  @IsUUID()
  addressId?: string;

  @ApiPropertyOptional({ type: ShippingAddressDto })
  @Optional()
  @ValidateNested()
  @Type(() => ShippingAddressDto)
  address?: ShippingAddressDto;

  @ApiPropertyOptional({ type: [String] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  couponCodes?: string[];

  @ApiPropertyOptional({ example: 'app' })
  @Optional()
  @IsString()
  @MaxLength(32)
  channel?: string;

  @ApiPropertyOptional({
    description:
      "a flash-sale win's token (POST /v1/flash-sales/{id}/attempts): its SKU at the sale price",
  })
  @Optional()
  @IsString()
  @Length(1, 200)
  flashToken?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'group buying: the deal' })
  @Optional()
  @IsUUID()
  groupDealId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'group buying: the group to join; omit to open a new group of `groupDealId`',
  })
  @Optional()
  @IsUUID()
  groupId?: string;
}

export class CancelOrderDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

export class ReviewOrderDto {
  @ApiProperty() @IsBoolean() approve!: boolean;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(500) note?: string;
}

export class StartPaymentDto {
  @ApiPropertyOptional({ example: 'sandbox' })
  @Optional()
  @IsString()
  @MaxLength(32)
  provider?: string;
}

export class SandboxPayDto {
  @ApiPropertyOptional({ description: 'false simulates a declined payment', default: true })
  @Optional()
  @IsBoolean()
  succeed?: boolean;
}

export class PaymentCallbackDto {
  @ApiProperty() @IsString() @Length(1, 128) providerTxnId!: string;
  @ApiProperty({ format: 'uuid' }) @IsUUID() orderId!: string;
  @ApiProperty() @IsInt() @Min(0) amountMinor!: number;
  @ApiProperty({ example: 'CNY' }) @IsString() @Length(3, 3) currency!: string;
  @ApiProperty({ enum: ['SUCCEEDED', 'FAILED'] }) @IsIn(['SUCCEEDED', 'FAILED']) status!: string;
  @ApiProperty({ description: 'unix seconds when signed' }) @IsInt() timestamp!: number;
  @ApiProperty({ description: 'hex HMAC-SHA256 of the canonical fields' })
  @IsString()
  @Length(1, 256)
  signature!: string;
}

// ---- responses

export class CartLineView {
  @ApiProperty({ format: 'uuid' }) skuId!: string;
  @ApiProperty() quantity!: number;
}

export class GuestTokenView {
  @ApiProperty({
    description: 'send as X-Guest-Token on the cart routes; keep it secret (it opens the cart)',
    example: 'gt_3q2-7wXr1oHqVfK0b2a9mZbYd8Qm4Zq3s1T2u3V4w5x',
  })
  guestToken!: string;
}

export class CartView {
  @ApiProperty({ type: [CartLineView] }) lines!: CartLineView[];
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class OrderLineView {
  @ApiProperty() skuId!: string;
  @ApiProperty() productId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() quantity!: number;
  @ApiProperty({ type: MoneyDto }) unitPrice!: MoneyDto;
  @ApiProperty({ type: MoneyDto, description: "this line's share of the discounts" })
  discount!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) total!: MoneyDto;
}

/** The order service's order statuses (PENDING_REVIEW: held by risk for an operator's review). */
export const ORDER_STATUSES = [
  'PENDING_REVIEW',
  'PENDING_PAYMENT',
  'PAID',
  'FULFILLING',
  'SHIPPED',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
  'REFUNDED',
] as const;

export class OrderView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ORDER_STATUSES })
  status!: string;
  @ApiProperty({ type: [OrderLineView] }) lines!: OrderLineView[];
  @ApiProperty({ type: MoneyDto }) subtotal!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) discount!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) shipping!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) total!: MoneyDto;
  @ApiProperty({ type: OrderAddressView }) address!: OrderAddressView;
  @ApiProperty({ type: [String] }) priceExplanation!: string[];
  @ApiProperty({ format: 'date-time' }) paymentDeadline!: string;
  @ApiProperty({ nullable: true, type: String }) cancelReason!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) paidAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty() version!: number;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'group buying: the group this order joined or opened',
  })
  groupId!: string | null;
  @ApiProperty({
    type: String,
    enum: ['PENDING', 'CONFIRMED', 'FAILED'],
    nullable: true,
    description:
      'group buying: PENDING while the group fills (paid orders wait, stock held), CONFIRMED when it filled, FAILED (refunded) at its deadline',
  })
  groupStatus!: string | null;
}

export class AdminOrderView extends OrderView {
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty() riskDecision!: string;
  @ApiProperty({ type: [String] }) riskReasons!: string[];
}

export class OrderPage {
  @ApiProperty({ type: [OrderView] }) items!: OrderView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

/** Operators' order search: every account's orders, or one account's, of a status or any. */
export class AdminOrdersQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: ORDER_STATUSES,
    description: 'only orders in this status (PENDING_REVIEW: held for review); omit for all',
  })
  @Optional()
  @IsIn(ORDER_STATUSES, { message: `status must be one of ${ORDER_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "only this account's orders" })
  @Optional()
  @IsUUID()
  accountId?: string;
}

export class AdminOrderPage {
  @ApiProperty({ type: [AdminOrderView] }) items!: AdminOrderView[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'the next page: pass as ?cursor= with the same filters; null on the last page',
  })
  nextCursor!: string | null;
}

export class PaymentView {
  @ApiProperty({ format: 'uuid' }) paymentId!: string;
  @ApiProperty() provider!: string;
  @ApiProperty({ description: 'send the customer here to pay' }) redirectUrl!: string;
  @ApiProperty({ type: MoneyDto }) amount!: MoneyDto;
}

export class SandboxPaymentView {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ enum: ['PAID', 'DUPLICATE', 'FAILED', 'REFUND_LATE_PAYMENT', 'AMOUNT_MISMATCH'] })
  outcome!: string;
}

export class CallbackView {
  @ApiProperty({ enum: ['PAID', 'DUPLICATE', 'FAILED', 'REFUND_LATE_PAYMENT', 'AMOUNT_MISMATCH'] })
  outcome!: string;
}

export class ShipDto {
  @ApiProperty({ example: 'sf', description: 'carrier code' })
  @IsString()
  @Length(1, 32)
  carrier!: string;
  @ApiProperty({ example: 'SF1234567890' }) @IsString() @Length(4, 64) trackingNumber!: string;
}

export class TrackingEventDto {
  @ApiProperty() @IsString() @Length(1, 64) trackingNumber!: string;
  @ApiProperty({ description: "the carrier's event id (replays are ignored)" })
  @IsString()
  @Length(1, 128)
  eventId!: string;
  @ApiProperty({ enum: ['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION'] })
  @IsIn(['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED', 'EXCEPTION'])
  status!: string;
  @ApiPropertyOptional() @Optional() @IsString() @MaxLength(500) description?: string;
  @ApiProperty({ format: 'date-time' }) @IsString() @Length(10, 40) occurredAt!: string;
}

export class TrackingEventView {
  @ApiProperty() eventId!: string;
  @ApiProperty() status!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
}

export class ShipmentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() warehouseCode!: string;
  @ApiProperty({ type: [CartLineView] }) lines!: CartLineView[];
  @ApiProperty({ enum: ['PENDING', 'SHIPPED', 'DELIVERED', 'EXCEPTION'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) carrier!: string | null;
  @ApiProperty({ nullable: true, type: String }) trackingNumber!: string | null;
  @ApiProperty({ type: [TrackingEventView] }) events!: TrackingEventView[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'the exchange this replacement ships for',
  })
  returnId!: string | null;
}

export class ShipmentList {
  @ApiProperty({ type: [ShipmentView] }) items!: ShipmentView[];
}

export class TrackingResultView {
  @ApiProperty({ type: ShipmentView }) shipment!: ShipmentView;
  @ApiProperty({ description: 'false: this event was already recorded' }) applied!: boolean;
}

export class ReturnLineDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() skuId!: string;
  @ApiProperty({ minimum: 1 }) @IsInt() @Min(1) @Max(999) quantity!: number;
}

export class RequestReturnDto {
  @ApiProperty({ type: [ReturnLineDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ReturnLineDto)
  lines!: ReturnLineDto[];

  @ApiProperty({ maxLength: 500 }) @IsString() @Length(1, 500) reason!: string;

  @ApiPropertyOptional({ description: 'ship the same SKUs again instead of a refund' })
  @Optional()
  @IsBoolean()
  exchange?: boolean;
}

export class ReviewReturnDto {
  @ApiProperty({
    description:
      'a REQUESTED return: approve (the goods are sent back) or reject; a DISPUTED one: approve carries on to the restock and refund (or exchange) as a whole receipt, reject ends it (REJECTED)',
  })
  @IsBoolean()
  approve!: boolean;

  @ApiPropertyOptional({ maxLength: 500 }) @Optional() @IsString() @MaxLength(500) note?: string;

  @ApiPropertyOptional({
    description:
      'with approve: true on a REQUESTED return: refund without the goods coming back (仅退款, kind REFUND_ONLY): refunded at once, nothing restocked (the order service decides when it applies)',
  })
  @Optional()
  @IsBoolean()
  refundOnly?: boolean;
}

/**
 * The warehouse's receipt of a returned parcel. The body is optional: none (or `{}`) is a whole
 * receipt, as before.
 */
@BodyMayBeOmitted()
export class ReceiveReturnDto {
  @ApiPropertyOptional({
    description:
      'the parcel holds items other than those sold: the return becomes DISPUTED (nothing restocked, refunded or exchanged) until an operator reviews it again',
  })
  @Optional()
  @IsBoolean()
  itemsMismatch?: boolean;

  @ApiPropertyOptional({
    maxLength: 500,
    description: "what the warehouse found; kept as the return's note",
  })
  @Optional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

/** A return's statuses (DISPUTED: items other than those sold came back; an operator decides). */
export const RETURN_STATUSES = [
  'REQUESTED',
  'APPROVED',
  'REJECTED',
  'RECEIVED',
  'DISPUTED',
  'REFUNDING',
  'REFUNDED',
  'EXCHANGED',
] as const;
/** REFUND_ONLY: refunded without the goods coming back (仅退款). */
export const RETURN_KINDS = ['REFUND', 'EXCHANGE', 'REFUND_ONLY'] as const;

export class ReturnView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ type: [CartLineView] }) lines!: CartLineView[];
  @ApiProperty() reason!: string;
  @ApiProperty({
    enum: RETURN_KINDS,
    description:
      'REFUND or EXCHANGE as the customer asked; REFUND_ONLY when an operator refunded without the goods coming back (仅退款)',
  })
  kind!: string;
  @ApiProperty({
    enum: RETURN_STATUSES,
    description:
      'REQUESTED → APPROVED (or REJECTED) → received: REFUNDING/REFUNDED or EXCHANGED; DISPUTED when the warehouse received items other than those sold (nothing restocked or refunded until an operator reviews it again: approve carries on, reject ends it REJECTED); a refund-only approval goes from REQUESTED straight to REFUNDING/REFUNDED',
  })
  status!: string;
  @ApiProperty({ type: MoneyDto, nullable: true, description: 'set once computed at refund' })
  refund!: MoneyDto | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "the operator's review note, or what the warehouse found",
  })
  note!: string | null;
  @ApiProperty() restocked!: boolean;
  @ApiProperty({ description: 'the warehouse reported items other than those sold in the parcel' })
  itemsMismatch!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ReturnList {
  @ApiProperty({ type: [ReturnView] }) items!: ReturnView[];
}

export class ImportResultView {
  @ApiProperty({ type: AdminOrderView }) order!: AdminOrderView;
  @ApiProperty({ description: 'false: this external order was imported before' }) created!: boolean;
}
