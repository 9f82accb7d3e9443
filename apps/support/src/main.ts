// first: OpenTelemetry patches what it traces before anything loads it (off unless configured)
import '@emporia/platform/tracing';
import 'reflect-metadata';
import { runService } from '@emporia/platform';
import { supportService } from './support.app';

/** `main.ts [start]`, `main.ts migrate`. */
runService(supportService());
