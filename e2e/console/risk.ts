import type { ConsoleContext } from './context';

export function riskTests(_ctx: ConsoleContext): void {}
