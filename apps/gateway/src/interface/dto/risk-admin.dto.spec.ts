import type { Type } from '@nestjs/common';
import { validationPipe } from '../validation';
import {
  AddListEntriesDto,
  ListDecisionsQuery,
  MAX_LIST_BATCH,
  RemoveListEntriesDto,
  UpsertRuleDto,
} from './risk-admin.dto';

const validate = (metatype: Type<unknown>, value: unknown, type: 'body' | 'query' = 'body') =>
  validationPipe.transform(value, { type, metatype });
const refused = (
  metatype: Type<unknown>,
  value: unknown,
  field: string,
  message?: RegExp,
  type: 'body' | 'query' = 'body',
) =>
  expect(validate(metatype, value, type)).rejects.toMatchObject({
    status: 400,
    code: 'VALIDATION_FAILED',
    errors: expect.arrayContaining([
      expect.objectContaining({
        field,
        ...(message ? { message: expect.stringMatching(message) } : {}),
      }),
    ]),
  });

describe('risk request shapes', () => {
  describe('list entries', () => {
    const entry = { value: 'CN|江苏省|南京市|鼓楼区|黑名单路 1 号|', reason: 'fraud ring' };

    it('takes entries, and an export as it is (kind and addedAt)', async () => {
      const dto = (await validate(AddListEntriesDto, { entries: [entry] })) as AddListEntriesDto;
      expect(dto.entries[0]).toEqual(entry);
      await expect(
        validate(AddListEntriesDto, {
          kind: 'ADDRESS',
          entries: [{ ...entry, addedAt: '2026-01-01T00:00:00.000Z' }],
        }),
      ).resolves.toBeDefined();
    });

    it('refuses an empty batch', () =>
      refused(AddListEntriesDto, { entries: [] }, 'entries', /at least one/));

    it('refuses a batch over the limit', () =>
      refused(
        AddListEntriesDto,
        { entries: Array.from({ length: MAX_LIST_BATCH + 1 }, (_, i) => ({ value: `10.0.${i}` })) },
        'entries',
        /at most 10000/,
      ));

    it.each<[string, unknown, string]>([
      ['no entries at all', {}, 'entries'],
      ['entries that are not an array', { entries: { value: 'x' } }, 'entries'],
      ['an entry that is a string', { entries: ['203.0.113.7'] }, 'entries'],
      ['an empty value', { entries: [{ value: '' }] }, 'entries.0.value'],
      ['a numeric value', { entries: [{ value: 42 }] }, 'entries.0.value'],
      ['a value over 512 characters', { entries: [{ value: 'x'.repeat(513) }] }, 'entries.0.value'],
      [
        'a reason over 500 characters',
        { entries: [{ value: 'x', reason: 'r'.repeat(501) }] },
        'entries.0.reason',
      ],
      ['an unknown entry field', { entries: [{ value: 'x', kind: 'IP' }] }, 'entries.0.kind'],
      [
        'a malformed addedAt',
        { entries: [{ value: 'x', addedAt: 'yesterday' }] },
        'entries.0.addedAt',
      ],
      ['an unknown list kind in the body', { kind: 'EMAIL', entries: [{ value: 'x' }] }, 'kind'],
    ])('refuses %s', (_label, body, field) => refused(AddListEntriesDto, body, field));

    it('takes values to remove, and refuses none or too many', async () => {
      await expect(validate(RemoveListEntriesDto, { values: ['203.0.113.7'] })).resolves.toEqual({
        values: ['203.0.113.7'],
      });
      await refused(RemoveListEntriesDto, { values: [] }, 'values', /at least one/);
      await refused(RemoveListEntriesDto, {}, 'values');
      await refused(RemoveListEntriesDto, { values: [''] }, 'values');
      await refused(
        RemoveListEntriesDto,
        { values: Array.from({ length: MAX_LIST_BATCH + 1 }, (_, i) => `v${i}`) },
        'values',
        /at most/,
      );
    });
  });

  describe('rules', () => {
    const rule = {
      name: 'more than 10 orders an hour from one account',
      kind: 'VELOCITY',
      appliesTo: 'ORDER',
      action: 'REVIEW',
      score: 40,
      active: true,
      dimension: 'ACCOUNT',
      windowSeconds: 3600,
      threshold: 10,
    };

    it('takes a rule, and the nulls a GET shows for unused fields', async () => {
      await expect(validate(UpsertRuleDto, rule)).resolves.toMatchObject(rule);
      await expect(
        validate(UpsertRuleDto, { ...rule, listKind: null, amount: null }),
      ).resolves.toBeDefined();
    });

    it.each<[string, Record<string, unknown>]>([
      [
        'a return-rate rule with its minimum sample',
        {
          kind: 'RETURN_ABUSE',
          dimension: 'RETURN_RATE',
          windowSeconds: 365 * 86_400,
          threshold: 40,
          minSample: 10,
        },
      ],
      [
        'a rule on refunds without return',
        { kind: 'RETURN_ABUSE', dimension: 'REFUNDS_WITHOUT_RETURN', threshold: 3 },
      ],
      ['an items-mismatch rule', { kind: 'RETURN_ABUSE', dimension: 'ITEMS_MISMATCH' }],
      ['an exchanges rule', { kind: 'RETURN_ABUSE', dimension: 'EXCHANGES', minSample: null }],
      ['an address-quality rule on any doubt', { kind: 'ADDRESS_QUALITY', dimension: 'ANY' }],
      ['a vague address detail', { kind: 'ADDRESS_QUALITY', dimension: 'DETAIL_VAGUE' }],
      ['a phone of another country', { kind: 'ADDRESS_QUALITY', dimension: 'PHONE_OTHER_COUNTRY' }],
      ['a doubtful recipient', { kind: 'ADDRESS_QUALITY', dimension: 'RECIPIENT_DOUBTFUL' }],
      [
        'a region named differently in the detail',
        { kind: 'ADDRESS_QUALITY', dimension: 'REGION_MISMATCH_IN_DETAIL' },
      ],
      ['accounts sharing an address', { kind: 'ADDRESS_SPREAD', dimension: 'ADDRESS' }],
      ['an account spreading over addresses', { kind: 'ADDRESS_SPREAD', dimension: 'ACCOUNT' }],
    ])('takes %s (issue 24)', async (_label, change) => {
      await expect(validate(UpsertRuleDto, { ...rule, ...change })).resolves.toMatchObject(change);
    });

    it.each<[string, Record<string, unknown>, string, RegExp?]>([
      ['an unknown kind', { kind: 'GEO_FENCE' }, 'kind', /one of LIST_MATCH/],
      ['a minimum sample of 0', { minSample: 0 }, 'minSample'],
      ['a fractional minimum sample', { minSample: 2.5 }, 'minSample'],
      ['a minimum sample as text', { minSample: '10' }, 'minSample'],
      ['a minimum sample over int32', { minSample: 2_147_483_648 }, 'minSample'],
      [
        'an unknown return-abuse dimension',
        { kind: 'RETURN_ABUSE', dimension: 'RETURNS' },
        'dimension',
        /RETURN_RATE, EXCHANGES, REFUNDS_WITHOUT_RETURN, ITEMS_MISMATCH/,
      ],
      ['an address issue in lower case', { dimension: 'detail_vague' }, 'dimension'],
      [
        'a return window over a year',
        { kind: 'RETURN_ABUSE', windowSeconds: 366 * 86_400 },
        'windowSeconds',
      ],
      ['an unknown subject', { appliesTo: 'PAYMENT' }, 'appliesTo'],
      ['an action ALLOW', { action: 'ALLOW' }, 'action', /REVIEW, REJECT/],
      ['a score over 100', { score: 101 }, 'score'],
      ['a fractional score', { score: 1.5 }, 'score'],
      ['a window of 0', { windowSeconds: 0 }, 'windowSeconds'],
      ['a window over a year', { windowSeconds: 365 * 86_400 + 1 }, 'windowSeconds'],
      ['a threshold of 0', { threshold: 0 }, 'threshold'],
      ['an unknown dimension', { dimension: 'EMAIL' }, 'dimension'],
      ['an unknown list kind', { listKind: 'EMAIL' }, 'listKind'],
      ['a negative amount', { amount: { amountMinor: -1, currency: 'CNY' } }, 'amount.amountMinor'],
      ['no name', { name: undefined }, 'name'],
      // a default, so jest does not take a 4th parameter for a done callback on 3-element rows
    ])('refuses %s', (_label, change, field, message = undefined) =>
      refused(UpsertRuleDto, { ...rule, ...change }, field, message),
    );
  });

  describe('decision filters', () => {
    it('takes UUID filters and a limit from the query string', async () => {
      const q = (await validate(
        ListDecisionsQuery,
        { subjectId: '0190a000-0000-7000-8000-0000000000a1', limit: '20' },
        'query',
      )) as ListDecisionsQuery;
      expect(q.limit).toBe(20);
    });

    it.each<[Record<string, string>, string]>([
      [{ subjectId: 'order-1' }, 'subjectId'],
      [{ orderId: '42' }, 'orderId'],
      [{ accountId: 'me' }, 'accountId'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '501' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ decision: 'REJECT' }, 'decision'],
    ])('refuses %p', (query, field) =>
      refused(ListDecisionsQuery, query, field, undefined, 'query'),
    );
  });
});
