import 'reflect-metadata';
import { runService } from '@emporia/platform';
import { reviewService } from './review.app';

/** `main.ts [start]`, `main.ts migrate`. */
runService(reviewService);
