import { dueListingAction, parseScheduleTime, validateSchedule } from './listing-schedule';
import type { Product, ProductStatus } from './product';

const now = new Date('2026-12-01T08:00:00Z');
const product = (status: ProductStatus, over: Partial<Product> = {}): Product => ({
  id: 'p1',
  title: 'Tea cup',
  description: '',
  brand: '',
  categoryId: 'c1',
  status,
  skus: [],
  version: 3,
  createdAt: now,
  updatedAt: now,
  publishAt: null,
  unpublishAt: null,
  manualTags: [],
  ruleTags: [],
  firstPublishedAt: null,
  compliance: 'REQUIRED',
  ...over,
});
const at = (iso: string) => new Date(iso);

describe('listing schedule', () => {
  describe('times', () => {
    it.each([
      ['2026-12-03T09:00:00+08:00', '2026-12-03T01:00:00.000Z'],
      ['2026-12-03T01:00:00Z', '2026-12-03T01:00:00.000Z'],
      ['2026-12-03t01:00:00.250-05:30', '2026-12-03T06:30:00.250Z'],
    ])('reads %s', (input, iso) => {
      expect(parseScheduleTime('publish_at', input)?.toISOString()).toBe(iso);
    });

    it('empty is none', () => {
      expect(parseScheduleTime('publish_at', '')).toBeNull();
      expect(parseScheduleTime('unpublish_at', '  ')).toBeNull();
    });

    it.each([
      '2026-12-03T09:00:00', // no offset: a time zone would be guessed
      '2026-12-03 09:00:00Z',
      '2026-12-03',
      '2026-02-30T09:00:00Z', // rolls over in Date
      '2026-12-03T24:00:00Z',
      'tomorrow',
      '1764748800',
    ])('refuses %s (SCHEDULE_INVALID)', (input) => {
      expect(() => parseScheduleTime('publish_at', input)).toThrow(
        expect.objectContaining({ code: 'SCHEDULE_INVALID', kind: 'INVALID_ARGUMENT' }),
      );
    });
  });

  describe('validation', () => {
    const later = at('2026-12-02T08:00:00Z');
    const latest = at('2026-12-03T08:00:00Z');

    it('accepts a future window for a DRAFT product, and unpublish only for an ACTIVE one', () => {
      const s = { publishAt: later, unpublishAt: latest };
      expect(validateSchedule(product('DRAFT'), s, now)).toEqual(s);
      expect(
        validateSchedule(product('ACTIVE'), { publishAt: null, unpublishAt: latest }, now),
      ).toEqual({ publishAt: null, unpublishAt: latest });
    });

    it('unpublish must come after publish', () => {
      for (const unpublishAt of [later, at('2026-12-01T09:00:00Z')])
        expect(() =>
          validateSchedule(product('DRAFT'), { publishAt: later, unpublishAt }, now),
        ).toThrow(expect.objectContaining({ code: 'SCHEDULE_INVALID' }));
    });

    it('a new time must be in the future; an unchanged one may have passed', () => {
      expect(() =>
        validateSchedule(product('DRAFT'), { publishAt: now, unpublishAt: null }, now),
      ).toThrow(expect.objectContaining({ code: 'SCHEDULE_INVALID' }));
      const past = at('2026-11-30T00:00:00Z');
      expect(
        validateSchedule(
          product('ACTIVE', { unpublishAt: past }),
          { publishAt: null, unpublishAt: past },
          now,
        ),
      ).toEqual({ publishAt: null, unpublishAt: past });
    });

    it('an ARCHIVED product takes no schedule, and only a DRAFT one a publish time; clearing is fine', () => {
      expect(() =>
        validateSchedule(product('ARCHIVED'), { publishAt: null, unpublishAt: latest }, now),
      ).toThrow(
        expect.objectContaining({ code: 'SCHEDULE_NOT_ALLOWED', kind: 'FAILED_PRECONDITION' }),
      );
      expect(() =>
        validateSchedule(product('ACTIVE'), { publishAt: later, unpublishAt: null }, now),
      ).toThrow(expect.objectContaining({ code: 'SCHEDULE_NOT_ALLOWED' }));
      expect(
        validateSchedule(
          product('ARCHIVED', { unpublishAt: latest }),
          { publishAt: null, unpublishAt: null },
          now,
        ),
      ).toEqual({ publishAt: null, unpublishAt: null });
    });
  });

  describe('what the sweep does', () => {
    const past = at('2026-12-01T07:59:59Z');
    const future = at('2026-12-01T08:00:01Z');

    it('publishes a due DRAFT product and unpublishes a due ACTIVE one', () => {
      expect(dueListingAction(product('DRAFT', { publishAt: now }), now)).toEqual({
        kind: 'publish',
      });
      expect(dueListingAction(product('ACTIVE', { unpublishAt: past }), now)).toEqual({
        kind: 'unpublish',
      });
    });

    it('does nothing before time', () => {
      expect(
        dueListingAction(
          product('DRAFT', { publishAt: future, unpublishAt: at('2027-01-01T00:00:00Z') }),
          now,
        ),
      ).toEqual({ kind: 'none' });
    });

    it('publishes first when both times have passed', () => {
      expect(
        dueListingAction(
          product('DRAFT', { publishAt: at('2026-11-01T00:00:00Z'), unpublishAt: past }),
          now,
        ),
      ).toEqual({ kind: 'publish' });
    });

    it('clears a time the product no longer fits (published or archived by hand meanwhile)', () => {
      expect(dueListingAction(product('ACTIVE', { publishAt: past }), now)).toEqual({
        kind: 'clear',
        field: 'publish_at',
      });
      expect(dueListingAction(product('DRAFT', { unpublishAt: past }), now)).toEqual({
        kind: 'clear',
        field: 'unpublish_at',
      });
      expect(dueListingAction(product('ARCHIVED', { unpublishAt: past }), now)).toEqual({
        kind: 'clear',
        field: 'unpublish_at',
      });
    });
  });
});
