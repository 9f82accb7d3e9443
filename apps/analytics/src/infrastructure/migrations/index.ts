import { MessagingTables1764000000000 } from '@emporia/messaging';
import { AnalyticsPricing1765000000400 } from './1765000000400-analytics-pricing';

/** Every migration of the analytics database, in order. Never `synchronize`. */
export const ANALYTICS_MIGRATIONS = [MessagingTables1764000000000, AnalyticsPricing1765000000400];
