import { MessagingTables1764000000000 } from '@emporia/messaging';

/** Every migration of the review database, in order. Never `synchronize`. */
export const REVIEW_MIGRATIONS = [MessagingTables1764000000000];
