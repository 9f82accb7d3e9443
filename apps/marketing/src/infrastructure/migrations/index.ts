import { MessagingTables1764000000000 } from '@emporia/messaging';
import { MarketingSchema1764000001500 } from './1764000001500-marketing-schema';
import { AudienceGrants1765000001500 } from './1765000001500-audience-grants';
import { CouponExpiryNotice1767000001500 } from './1767000001500-coupon-expiry-notice';
import { FlashSaleListing1768000001500 } from './1768000001500-flash-sale-listing';

/** Every migration of the marketing database, in order. Never `synchronize`. */
export const MARKETING_MIGRATIONS = [
  MessagingTables1764000000000,
  MarketingSchema1764000001500,
  AudienceGrants1765000001500,
  CouponExpiryNotice1767000001500,
  FlashSaleListing1768000001500,
];
