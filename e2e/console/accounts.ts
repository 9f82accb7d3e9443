import type { ConsoleContext } from './context';

export function accountsTests(_ctx: ConsoleContext): void {}
