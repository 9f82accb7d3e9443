import { isLive, type RefreshTokenFamily } from './refresh-token-family';
import { UserError } from './user-error';

/**
 * Sensitive changes (password, e-mail, phone, second factors, passkeys) need a step-up: a second
 * factor proved in the calling session within this window (GitHub's sudo mode). An account with no
 * second factor at all steps up with its password. `STEP_UP_WINDOW_SECONDS` configures the window
 * (`AuthSettings.stepUpWindowMs`); this is the default.
 */
export const STEP_UP_WINDOW_MS = 5 * 60_000;

export const stepUpRequired = (message = 'confirm it is you: step up with a second factor first') =>
  new UserError('FAILED_PRECONDITION', 'STEP_UP_REQUIRED', message);

/**
 * Until when `session` allows sensitive changes, or null when it does not now: it must be a live
 * session of `accountId` whose second factor was proved less than `windowMs` ago.
 */
export function stepUpValidUntil(
  session: RefreshTokenFamily | null,
  accountId: string,
  now: Date,
  windowMs = STEP_UP_WINDOW_MS,
): Date | null {
  if (!session || session.userId !== accountId || !isLive(session, now)) return null;
  const at = session.secondFactorAt?.getTime();
  if (at === undefined) return null;
  const until = at + windowMs;
  return until > now.getTime() ? new Date(until) : null;
}

/** Throws STEP_UP_REQUIRED unless `session` stepped up recently (see `stepUpValidUntil`). */
export function assertSteppedUp(
  session: RefreshTokenFamily | null,
  accountId: string,
  now: Date,
  windowMs = STEP_UP_WINDOW_MS,
): RefreshTokenFamily {
  if (!session || session.userId !== accountId || !isLive(session, now))
    throw stepUpRequired('this session has ended or is not yours; sign in again');
  if (!stepUpValidUntil(session, accountId, now, windowMs))
    throw stepUpRequired(
      `confirm it is you: step up with a second factor (valid ${Math.round(windowMs / 60_000)} minutes) first`,
    );
  return session;
}
