import { MessagingTables1764000000000 } from '@emporia/messaging';
import { AnalyticsCustomers1765000000200 } from './1765000000200-analytics-customers';

/** Every migration of the analytics database, in order. Never `synchronize`. */
export const ANALYTICS_MIGRATIONS = [MessagingTables1764000000000, AnalyticsCustomers1765000000200];
