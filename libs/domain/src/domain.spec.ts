import { DomainError, isUuid, UUID_RE, type ErrorKind } from './index';

class ShopError extends DomainError<'NOT_FOUND' | 'INVALID_ARGUMENT'> {}

describe('UUID_RE / isUuid', () => {
  it('accepts canonical UUIDs of any version and case', () => {
    expect(isUuid('0192f3a4-5b6c-7d8e-9f01-23456789abcd')).toBe(true);
    expect(isUuid('0192F3A4-5B6C-4D8E-9F01-23456789ABCD')).toBe(true);
  });

  it('refuses anything else', () => {
    for (const v of [
      '',
      'abc',
      '0192f3a45b6c7d8e9f0123456789abcd',
      '0192f3a4-5b6c-7d8e-9f01-23456789abcd ',
      42,
      null,
    ])
      expect(isUuid(v)).toBe(false);
    expect(UUID_RE.test('x0192f3a4-5b6c-7d8e-9f01-23456789abcd')).toBe(false);
  });
});

describe('DomainError', () => {
  it('carries kind, code, message and details under the subclass name', () => {
    const e = new ShopError('NOT_FOUND', 'SHOP_NOT_FOUND', 'Shop s-1 does not exist', {
      id: 's-1',
    });
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({
      name: 'ShopError',
      kind: 'NOT_FOUND',
      code: 'SHOP_NOT_FOUND',
      message: 'Shop s-1 does not exist',
      details: { id: 's-1' },
    });
    const kind: ErrorKind = e.kind;
    expect(kind).toBe('NOT_FOUND');
  });
});
