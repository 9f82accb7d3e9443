// first: OpenTelemetry patches what it traces before anything loads it (off unless configured)
import '@emporia/platform/tracing';
import 'reflect-metadata';
import { runService } from '@emporia/platform';
import { userService } from './user.app';

/**
 * `main.ts [start]`, `main.ts migrate`, `main.ts grant-roles <email|phone> <role,...>` (bootstrap
 * an admin), `main.ts replay-dlq --topic <t> [--group <g>] [--dry-run] [--limit <n>]`.
 */
runService(userService);
