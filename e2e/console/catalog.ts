import type { ConsoleContext } from './context';

export function catalogTests(_ctx: ConsoleContext): void {}
