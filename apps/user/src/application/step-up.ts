import { assertSteppedUp, STEP_UP_WINDOW_MS } from '../domain/step-up';
import type { UserTx } from './ports';

/**
 * The step-up rule of sensitive changes, in the caller's transaction: throws FAILED_PRECONDITION
 * STEP_UP_REQUIRED unless `sessionId` is a live session (refresh-token family) of `accountId` that
 * proved a second factor (sign-in with one, or StepUp) within the window. Use cases pass
 * `AuthSettings.stepUpWindowMs` (config `STEP_UP_WINDOW_SECONDS`, 5 minutes by default).
 */
export async function assertRecentStepUp(
  tx: UserTx,
  accountId: string,
  sessionId: string,
  now: Date,
  windowMs: number = STEP_UP_WINDOW_MS,
): Promise<void> {
  const session = sessionId ? await tx.families.findById(sessionId) : null;
  assertSteppedUp(session, accountId, now, windowMs);
}
