import { isUniqueViolation } from './errors';

/** The shape TypeORM's QueryFailedError has: the pg error under `driverError`. */
const typeorm = (code: string, constraint?: string) =>
  Object.assign(new Error('query failed'), { driverError: { code, constraint } });
const bare = (code: string, constraint?: string) =>
  Object.assign(new Error('pg'), { code, constraint });

describe('isUniqueViolation', () => {
  it('recognises a unique violation from TypeORM and from pg', () => {
    expect(isUniqueViolation(typeorm('23505', 'skus_code_key'))).toBe(true);
    expect(isUniqueViolation(bare('23505'))).toBe(true);
  });

  it('matches the constraint when one is asked for', () => {
    expect(isUniqueViolation(typeorm('23505', 'skus_code_key'), 'skus_code_key')).toBe(true);
    expect(isUniqueViolation(typeorm('23505', 'categories_slug_key'), 'skus_code_key')).toBe(false);
  });

  it('is false for other failures', () => {
    for (const e of [typeorm('23503'), bare('40001'), new Error('x'), 'x', null, undefined])
      expect(isUniqueViolation(e)).toBe(false);
  });
});
