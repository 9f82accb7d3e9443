import { MessagingTables1764000000000 } from '@emporia/messaging';
import { ReviewSchema1766000000500 } from './1766000000500-review-schema';

/** Every migration of the review database, in order. Never `synchronize`. */
export const REVIEW_MIGRATIONS = [MessagingTables1764000000000, ReviewSchema1766000000500];
