import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsUUID, Matches, Max, Min, ValidateIf } from 'class-validator';
import { ExactlyOneOf, Optional } from './validators';

/** Requests and responses of the customers' coupon, flash-sale and group-buying routes. */

export class ClaimCouponDto {
  @ApiPropertyOptional({
    example: 'ABCDE-FGH2K',
    description: 'a code someone handed out; or give `templateId`',
  })
  @ValidateIf((o: ClaimCouponDto) => o.code !== undefined || o.templateId === undefined)
  @Matches(/^[A-Za-z0-9 -]{1,64}$/, {
    message: 'code must be a coupon code such as ABCDE-FGH2K (or give a templateId instead)',
  })
  code?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'take a new coupon of this template' })
  @ValidateIf((o: ClaimCouponDto) => o.templateId !== undefined)
  @IsUUID()
  @ExactlyOneOf(['code', 'templateId'])
  templateId?: string;
}

export class FlashAttemptDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 1 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(10)
  quantity?: number;
}

// ---- responses

export class CouponView {
  @ApiProperty({ example: 'ABCDE-FGH2K' }) code!: string;
  @ApiProperty({ format: 'uuid' }) templateId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['ISSUED', 'CLAIMED', 'RESERVED', 'REDEEMED'] }) status!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the order holding or having used it',
  })
  orderId!: string | null;
  @ApiProperty({ format: 'date-time' }) validFrom!: string;
  @ApiProperty({ format: 'date-time' }) validTo!: string;
}

export class CouponList {
  @ApiProperty({ type: [CouponView] }) items!: CouponView[];
}

export class FlashWinView {
  @ApiProperty({ enum: ['WON'] }) result!: 'WON';
  @ApiProperty({ description: 'send it at checkout as `flashToken`, before it expires' })
  token!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class GroupView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) dealId!: string;
  @ApiProperty({ description: 'participants it needs' }) size!: number;
  @ApiProperty({ description: 'paid participants so far' }) joined!: number;
  @ApiProperty({ enum: ['OPEN', 'SUCCEEDED', 'FAILED'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) deadline!: string;
}

export class GroupList {
  @ApiProperty({ type: [GroupView] }) items!: GroupView[];
}
