import { MessagingTables1764000000000 } from '@emporia/messaging';
import { AnalyticsExperiments1765000000300 } from './1765000000300-analytics-experiments';

/** Every migration of the analytics database, in order. Never `synchronize`. */
export const ANALYTICS_MIGRATIONS = [
  MessagingTables1764000000000,
  AnalyticsExperiments1765000000300,
];
