import type { ConsoleContext } from './context';

export function searchAdminTests(_ctx: ConsoleContext): void {}
