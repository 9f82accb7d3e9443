import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Matches, Max, Min } from 'class-validator';

/** Integer minor units of an ISO 4217 currency: 12900 CNY is ¥129.00. Never a float. */
export class MoneyDto {
  @ApiProperty({ example: 12900, description: 'integer minor units (cents, fen)', minimum: 0 })
  @IsInt({ message: 'amountMinor must be an integer number of minor units' })
  @Min(0, { message: 'amountMinor must not be negative' })
  @Max(1_000_000_000_000_000)
  amountMinor!: number;

  @ApiProperty({
    example: 'CNY',
    description: 'ISO 4217 code, one of the currencies the platform takes (its CURRENCIES setting)',
    pattern: '^[A-Z]{3}$',
  })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as CNY' })
  currency!: string;
}
