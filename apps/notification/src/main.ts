import 'reflect-metadata';
import { runService } from '@emporia/platform';
import { notificationService } from './notification.app';

/** `main.ts [start]`, `main.ts migrate`, `main.ts replay-dlq --topic <t>`. */
runService(notificationService());
