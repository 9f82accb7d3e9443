import { MAX_ADDRESSES } from '../domain/profile';
import { anAddress, userHarness } from '../testing';

/**
 * The address book through the use case against the in-memory unit of work: an address is
 * found only within its account, there is one default and it moves on delete, the book has a
 * limit, consents are opt-in.
 */
describe('address book', () => {
  const twoCustomers = async () => {
    const h = userHarness();
    return { h, a: await h.customer(), b: await h.customer() };
  };

  it('the first address is the default; asking moves it; a delete hands it to the most recent', async () => {
    const { h, a } = await twoCustomers();
    const home = await h.profile.createAddress(h.ctx, a.id, anAddress(), false);
    h.clock.advance(1000);
    const office = await h.profile.createAddress(
      h.ctx,
      a.id,
      anAddress({ line1: '2 Office Rd' }),
      false,
    );
    h.clock.advance(1000);
    const parents = await h.profile.createAddress(
      h.ctx,
      a.id,
      anAddress({ line1: '3 Old St' }),
      true,
    );
    expect([home.isDefault, office.isDefault, parents.isDefault]).toEqual([true, false, true]);
    const ids = async () =>
      (await h.profile.addresses(h.ctx, a.id)).map((x) => [x.id, x.isDefault]);
    expect(await ids()).toEqual([
      [parents.id, true],
      [office.id, false],
      [home.id, false],
    ]);
    await h.profile.deleteAddress(h.ctx, a.id, parents.id);
    expect(await ids()).toEqual([
      [office.id, true],
      [home.id, false],
    ]);
  });

  it("another account's address is NOT_FOUND, and stays as it was", async () => {
    const { h, a, b } = await twoCustomers();
    const mine = await h.profile.createAddress(h.ctx, a.id, anAddress(), false);
    await expect(
      h.profile.updateAddress(h.ctx, b.id, mine.id, anAddress({ recipient: 'Mallory' }), true),
    ).rejects.toMatchObject({ code: 'ADDRESS_NOT_FOUND' });
    await expect(h.profile.deleteAddress(h.ctx, b.id, mine.id)).rejects.toMatchObject({
      code: 'ADDRESS_NOT_FOUND',
    });
    expect(h.store.addresses.get(mine.id)).toMatchObject({ recipient: 'Li Lei', isDefault: true });
    expect(await h.profile.addresses(h.ctx, b.id)).toEqual([]);
  });

  it(`an account keeps at most ${MAX_ADDRESSES} addresses`, async () => {
    const { h, a } = await twoCustomers();
    for (let i = 0; i < MAX_ADDRESSES; i++)
      await h.profile.createAddress(h.ctx, a.id, anAddress({ line1: `${i} Road` }), false);
    await expect(
      h.profile.createAddress(h.ctx, a.id, anAddress({ line1: 'one more' }), false),
    ).rejects.toMatchObject({ code: 'ADDRESS_LIMIT' });
    expect(h.store.addresses.size).toBe(MAX_ADDRESSES);
  });

  it('consents are opt-in; a change is recorded with its time', async () => {
    const { h, a } = await twoCustomers();
    const before = (await h.profile.details(h.ctx, a.id)).consents;
    expect(before.every((c) => !c.granted)).toBe(true);
    const after = await h.profile.setConsents(h.ctx, a.id, [
      { purpose: 'MARKETING_EMAIL', granted: true },
    ]);
    expect(after.find((c) => c.purpose === 'MARKETING_EMAIL')).toEqual({
      purpose: 'MARKETING_EMAIL',
      granted: true,
      updatedAt: h.clock.now(),
    });
    expect(after.filter((c) => c.granted)).toHaveLength(1);
  });
});
