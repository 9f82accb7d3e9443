import { MessagingTables1764000000000 } from '@emporia/messaging';
import { OrderSchema1764000000700 } from './1764000000700-order-schema';
import { Shipments1764000000800 } from './1764000000800-shipments';
import { Returns1764000000900 } from './1764000000900-returns';
import { OrderImports1764000001000 } from './1764000001000-order-imports';
import { ReturnRestockClaim1764000001100 } from './1764000001100-return-restock-claim';
import { Exchanges1764000001200 } from './1764000001200-exchanges';
import { GroupBuy1764000001300 } from './1764000001300-group-buy';
import { GuestTokens1764000001400 } from './1764000001400-guest-tokens';
import { CheckoutLease1764000001500 } from './1764000001500-checkout-lease';
import { PaymentAttempts1764000001600 } from './1764000001600-payment-attempts';
import { OrderChannel1764000001700 } from './1764000001700-order-channel';
import { OrderListingIndexes1764000001800 } from './1764000001800-order-listing-indexes';
import { ReturnDisputes1764000001900 } from './1764000001900-return-disputes';

/** Every migration of the order database, in order. Never `synchronize`. */
export const ORDER_MIGRATIONS = [
  MessagingTables1764000000000,
  OrderSchema1764000000700,
  Shipments1764000000800,
  Returns1764000000900,
  OrderImports1764000001000,
  ReturnRestockClaim1764000001100,
  Exchanges1764000001200,
  GroupBuy1764000001300,
  GuestTokens1764000001400,
  CheckoutLease1764000001500,
  PaymentAttempts1764000001600,
  OrderChannel1764000001700,
  OrderListingIndexes1764000001800,
  ReturnDisputes1764000001900,
];
