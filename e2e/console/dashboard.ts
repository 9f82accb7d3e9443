import type { ConsoleContext } from './context';

export function dashboardTests(_ctx: ConsoleContext): void {}
