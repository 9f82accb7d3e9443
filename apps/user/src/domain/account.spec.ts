import {
  assertCanLogIn,
  assertNotOwnAccount,
  assertOperatorMayErase,
  loginAnomalies,
  normaliseEmail,
  normalisePhone,
  parseIdentifier,
  registration,
  rolesReduced,
  setFrozen,
  type Account,
} from './account';

describe('account rules', () => {
  it('normalises identifiers', () => {
    expect(normaliseEmail('  Li.Lei@Example.CN ')).toBe('li.lei@example.cn');
    expect(normalisePhone('+86 138-0013-8000')).toBe('+8613800138000');
    expect(parseIdentifier('A@B.cn')).toEqual({ email: 'a@b.cn' });
    expect(parseIdentifier('+8613800138000')).toEqual({ phone: '+8613800138000' });
  });

  it.each([
    [{ password: 'correct horse battery' }, 'IDENTIFIER_REQUIRED'],
    [{ email: 'not-an-email', password: 'correct horse battery' }, 'EMAIL_INVALID'],
    [{ phone: '13800138000', password: 'correct horse battery' }, 'PHONE_INVALID'],
    [{ email: 'a@b.cn', password: 'short' }, 'PASSWORD_TOO_WEAK'],
    [{ email: 'a@b.cn', password: 'x'.repeat(129) }, 'PASSWORD_TOO_WEAK'],
    [{ email: 'a@b.cn', password: 'aaaaaaaaaaaa' }, 'PASSWORD_TOO_WEAK'],
    [{ email: 'lilei@b.cn', password: 'my-lilei-password' }, 'PASSWORD_TOO_WEAK'],
  ])('rejects %p with %s', (input, code) => {
    expect(() => registration(input)).toThrow(
      expect.objectContaining({ code, kind: 'INVALID_ARGUMENT' }),
    );
  });

  it('accepts e-mail, phone or both', () => {
    expect(registration({ email: 'A@b.cn', password: 'correct horse battery' })).toEqual({
      email: 'a@b.cn',
      phone: null,
    });
    expect(
      registration({ phone: '+8613800138000', email: '', password: 'correct horse battery' }),
    ).toEqual({ email: null, phone: '+8613800138000' });
  });

  it('refuses a frozen account', () => {
    const frozen = { status: 'FROZEN' } as Account;
    expect(() => assertCanLogIn(frozen)).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_FROZEN', kind: 'PERMISSION_DENIED' }),
    );
  });
});

describe('login anomalies', () => {
  it.each([
    [{ anyBefore: false, deviceKnown: false, ipKnown: false }, 'd1', []],
    [{ anyBefore: true, deviceKnown: true, ipKnown: true }, 'd1', []],
    [{ anyBefore: true, deviceKnown: false, ipKnown: true }, 'd2', ['NEW_DEVICE']],
    [{ anyBefore: true, deviceKnown: false, ipKnown: true }, '', []],
    [{ anyBefore: true, deviceKnown: true, ipKnown: false }, 'd1', ['NEW_IP']],
    [{ anyBefore: true, deviceKnown: false, ipKnown: false }, 'd3', ['NEW_DEVICE', 'NEW_IP']],
  ])('%p with device %p → %p', (seen, device, kinds) => {
    expect(loginAnomalies(seen, device)).toEqual(kinds);
  });
});

describe('erased accounts and operators', () => {
  const erased = { id: 'a1', status: 'DELETED' } as Account;

  it('never freezes or unfreezes an erased account, so it cannot come back', () => {
    for (const frozen of [true, false])
      expect(() => setFrozen(erased, frozen)).toThrow(
        expect.objectContaining({ kind: 'NOT_FOUND', code: 'ACCOUNT_NOT_FOUND' }),
      );
    expect(() => setFrozen(null, true, 'a2')).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND' }),
    );
    expect(setFrozen({ id: 'a3', status: 'FROZEN' } as Account, false)).toMatchObject({
      changed: true,
      account: { status: 'ACTIVE' },
    });
  });

  it('an operator cannot erase their own account on the admin route', () => {
    expect(() => assertOperatorMayErase('A1', 'a1')).toThrow(
      expect.objectContaining({ kind: 'PERMISSION_DENIED', code: 'CANNOT_ERASE_OWN_ACCOUNT' }),
    );
    expect(() => assertOperatorMayErase('a2', 'a1')).not.toThrow();
  });

  it('lets no operator freeze their own account or change their own roles', () => {
    expect(() => assertNotOwnAccount('A1', 'a1', 'freeze')).toThrow(
      expect.objectContaining({ kind: 'PERMISSION_DENIED', code: 'CANNOT_CHANGE_OWN_ACCOUNT' }),
    );
    expect(() => assertNotOwnAccount('a2', 'a1', 'change the roles of')).not.toThrow();
    expect(() => assertNotOwnAccount(undefined, 'a1', 'freeze')).not.toThrow();
  });

  it.each([
    [['admin'], ['customer', 'operator'], true],
    [['customer', 'operator'], ['customer'], true],
    [['customer'], ['customer', 'operator'], false],
    [['customer', 'operator'], ['operator', 'customer'], false],
  ] as const)('roles %p → %p reduced: %p', (before, after, reduced) => {
    expect(rolesReduced([...before], [...after])).toBe(reduced);
  });
});
