/** Postgres SQLSTATE of a unique-constraint (or primary-key) violation. */
export const UNIQUE_VIOLATION = '23505';

/** The Postgres error under a failure: TypeORM wraps it as `driverError`, pg throws it bare. */
function postgresError(e: unknown): { code?: unknown; constraint?: unknown } | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const driverError = (e as { driverError?: unknown }).driverError;
  if (typeof driverError === 'object' && driverError !== null)
    return driverError as { code?: unknown; constraint?: unknown };
  return e as { code?: unknown; constraint?: unknown };
}

/**
 * Whether `e` is a unique violation (of `constraint`, when given): the race two writers lose
 * after both passed a pre-check, to be turned into the same ALREADY_EXISTS the pre-check gives.
 */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const pg = postgresError(e);
  if (pg?.code !== UNIQUE_VIOLATION) return false;
  return constraint === undefined || pg.constraint === constraint;
}
