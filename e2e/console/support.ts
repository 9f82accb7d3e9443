import type { ConsoleContext } from './context';

export function supportTests(_ctx: ConsoleContext): void {}
