// first: OpenTelemetry patches what it traces before anything loads it (off unless configured)
import '@emporia/platform/tracing';
import 'reflect-metadata';
import { runService } from '@emporia/platform';
import { catalogService } from './catalog.app';

/** `main.ts [start]` serves; `main.ts migrate` applies migrations and exits (the Helm hook job). */
runService(catalogService);
