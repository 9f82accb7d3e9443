import { createLogger } from '@emporia/platform';

/** A logger that writes nothing (use-case tests). */
export const silentLogger = createLogger('notification-test', 'silent');
