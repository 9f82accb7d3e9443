import { MessagingTables1764000000000 } from '@emporia/messaging';
import { AnalyticsFacts1765000000100 } from './1765000000100-analytics-facts';
import { AnalyticsCustomers1765000000200 } from './1765000000200-analytics-customers';
import { AnalyticsExperiments1765000000300 } from './1765000000300-analytics-experiments';
import { AnalyticsPricing1765000000400 } from './1765000000400-analytics-pricing';

/** Every migration of the analytics database, in order. Never `synchronize`. */
export const ANALYTICS_MIGRATIONS = [
  MessagingTables1764000000000,
  AnalyticsFacts1765000000100,
  AnalyticsCustomers1765000000200,
  AnalyticsExperiments1765000000300,
  AnalyticsPricing1765000000400,
];
