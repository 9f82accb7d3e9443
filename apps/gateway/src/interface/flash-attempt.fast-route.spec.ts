import { quantityOf } from './flash-attempt.fast-route';

describe('the flash attempt fast route takes exactly the bodies FlashAttemptDto takes as they are', () => {
  it('reads an optional integer quantity of 1 to 10', () => {
    expect(quantityOf({})).toBe(1);
    expect(quantityOf({ quantity: 1 })).toBe(1);
    expect(quantityOf({ quantity: 10 })).toBe(10);
  });

  it('leaves everything else to the Nest route (its validation problems)', () => {
    for (const body of [
      undefined,
      null,
      [],
      'x',
      3,
      { quantity: 0 },
      { quantity: 11 },
      { quantity: 1.5 },
      { quantity: '2' },
      { quantity: null },
      { quantity: true },
      { quantity: 1, extra: 1 },
      { qty: 1 },
      JSON.parse('{"__proto__": {"quantity": 1}}'),
    ])
      expect(quantityOf(body)).toBeUndefined();
  });
});
