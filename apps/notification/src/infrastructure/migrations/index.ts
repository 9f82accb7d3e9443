import { MessagingTables1764000000000 } from '@emporia/messaging';
import { NotificationSchema1767000001000 } from './1767000001000-notification-schema';
import { SecurityNotices1767000002000 } from './1767000002000-security-notices';

/** Every migration of the notification database, in order (the inbox first). Never `synchronize`. */
export const NOTIFICATION_MIGRATIONS = [
  MessagingTables1764000000000,
  NotificationSchema1767000001000,
  SecurityNotices1767000002000,
];
