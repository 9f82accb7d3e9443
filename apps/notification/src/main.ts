// first: OpenTelemetry patches what it traces before anything loads it (off unless configured)
import '@emporia/platform/tracing';
import 'reflect-metadata';
import { runService } from '@emporia/platform';
import { notificationService } from './notification.app';

/** `main.ts [start]`, `main.ts migrate`, `main.ts replay-dlq --topic <t>`. */
runService(notificationService());
