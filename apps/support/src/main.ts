import 'reflect-metadata';
import { runService } from '@emporia/platform';
import { supportService } from './support.app';

/** `main.ts [start]`, `main.ts migrate`. */
runService(supportService());
