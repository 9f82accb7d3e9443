import type { ConsoleContext } from './context';

export function ordersTests(_ctx: ConsoleContext): void {}
