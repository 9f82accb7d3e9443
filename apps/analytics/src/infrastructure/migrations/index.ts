import { MessagingTables1764000000000 } from '@emporia/messaging';

/** Every migration of the analytics database, in order. Never `synchronize`. */
export const ANALYTICS_MIGRATIONS = [MessagingTables1764000000000];
