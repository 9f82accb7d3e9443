import { MessagingTables1764000000000 } from '@emporia/messaging';
import { SupportSchema1766000000100 } from './1766000000100-support-schema';

/** Every migration of the support database, in order. Never `synchronize`. */
export const SUPPORT_MIGRATIONS = [MessagingTables1764000000000, SupportSchema1766000000100];
