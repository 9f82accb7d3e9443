// first: OpenTelemetry patches what it traces before anything loads it (off unless configured)
import '@emporia/platform/tracing';
import 'reflect-metadata';
import { runService } from '@emporia/platform';
import { orderService } from './order.app';

/** `main.ts [start]`, `main.ts migrate`, `main.ts replay-dlq --topic <t> [--group <g>] [--dry-run] [--limit <n>]`. */
runService(orderService());
