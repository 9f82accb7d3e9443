import { aRegistration, userHarness } from '../testing';

/**
 * Operators find an account by what it signs in with: the e-mail address in any case, or the
 * phone number as E.164 (spaces and dashes dropped), as login normalises them. Nothing else is
 * an identifier, and an erased account is never found.
 */
describe('finding an account by e-mail or phone', () => {
  const setup = async () => {
    const h = userHarness();
    const mei = await h.register.execute(
      h.ctx,
      aRegistration('Han.Mei@Example.com', { phone: '+8613800138000' }),
    );
    const lei = await h.register.execute(h.ctx, aRegistration('li.lei@example.com'));
    return { h, mei, lei };
  };

  it('finds the account by its e-mail in any case, or by its phone however it is spaced', async () => {
    const { h, mei, lei } = await setup();
    const find = async (identifier: string) =>
      (await h.admin.findByIdentifier(h.ctx, identifier))?.id ?? null;
    expect(await find('han.mei@example.com')).toBe(mei.id);
    expect(await find('  HAN.MEI@EXAMPLE.COM ')).toBe(mei.id);
    expect(await find('+8613800138000')).toBe(mei.id);
    expect(await find('+86 138-0013-8000')).toBe(mei.id);
    expect(await find('Li.Lei@example.com')).toBe(lei.id);
  });

  it('answers nothing for an identifier no account has', async () => {
    const { h } = await setup();
    expect(await h.admin.findByIdentifier(h.ctx, 'nobody@example.com')).toBeNull();
    expect(await h.admin.findByIdentifier(h.ctx, '+8613900139000')).toBeNull();
  });

  it('finds a frozen account but never an erased one, even were its identifiers left behind', async () => {
    const { h, mei } = await setup();
    // a frozen account is found (operators unfreeze it from there)
    await h.freeze.execute(h.ctx, { accountId: mei.id, frozen: true, reason: 'chargebacks' });
    expect((await h.admin.findByIdentifier(h.ctx, '+8613800138000'))?.status).toBe('FROZEN');
    await h.privacy.deleteAccount(h.ctx, { accountId: mei.id, byOperator: true });
    expect(await h.admin.findByIdentifier(h.ctx, 'han.mei@example.com')).toBeNull();
    expect(await h.admin.findByIdentifier(h.ctx, '+8613800138000')).toBeNull();
    // the status alone keeps it hidden
    h.store.accounts.set(mei.id, {
      ...h.store.accounts.get(mei.id)!,
      email: 'han.mei@example.com',
    });
    expect(await h.admin.findByIdentifier(h.ctx, 'han.mei@example.com')).toBeNull();
  });

  it.each([
    ['', 'IDENTIFIER_REQUIRED'],
    ['   ', 'IDENTIFIER_REQUIRED'],
    ['han.mei@', 'EMAIL_INVALID'],
    ['a@b', 'EMAIL_INVALID'],
    ['13800138000', 'PHONE_INVALID'],
    ['+86 abc', 'PHONE_INVALID'],
    ['han mei', 'PHONE_INVALID'],
  ])('refuses %j: INVALID_ARGUMENT %s', async (identifier, code) => {
    const { h } = await setup();
    await expect(h.admin.findByIdentifier(h.ctx, identifier)).rejects.toMatchObject({
      kind: 'INVALID_ARGUMENT',
      code,
    });
  });
});
