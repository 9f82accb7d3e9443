/**
 * The wait before retry number `failures` (1 after the first failed attempt): `baseMs × 2^(n-1)`
 * plus up to a quarter more of jitter (`random` in [0, 1)), so replicas that failed together do
 * not all come back at once.
 */
export function retryDelayMs(baseMs: number, failures: number, random: number): number {
  const exp = baseMs * 2 ** Math.max(0, Math.min(failures - 1, 20));
  return Math.round(exp + exp * 0.25 * Math.min(Math.max(random, 0), 1));
}

/** What a failed attempt leads to: another try later, or the dead letter. */
export type FailureOutcome =
  { status: 'PENDING'; nextAttemptAt: Date } | { status: 'DEAD'; nextAttemptAt: null };

export function afterFailure(input: {
  attempts: number;
  maxAttempts: number;
  permanent: boolean;
  now: Date;
  baseMs: number;
  random: number;
}): FailureOutcome {
  if (input.permanent || input.attempts >= input.maxAttempts)
    return { status: 'DEAD', nextAttemptAt: null };
  return {
    status: 'PENDING',
    nextAttemptAt: new Date(
      input.now.getTime() + retryDelayMs(input.baseMs, input.attempts, input.random),
    ),
  };
}
