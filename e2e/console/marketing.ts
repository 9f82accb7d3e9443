import type { ConsoleContext } from './context';

export function marketingTests(_ctx: ConsoleContext): void {}
