import { MessagingTables1764000000000 } from '@emporia/messaging';

/** Every migration of the support database, in order. Never `synchronize`. */
export const SUPPORT_MIGRATIONS = [MessagingTables1764000000000];
