import { CartLineDto, SandboxPayDto } from './dto/order.dto';
import { cartOwner, quantityOf } from './cart-line.fast-route';
import { succeedOf } from './payment-sandbox.fast-route';
import { ProblemError } from './problem';
import { validationPipe } from './validation';

/** What the Nest route's ValidationPipe makes of a body: the DTO, or undefined (its 400). */
async function viaPipe(body: unknown, metatype: new () => object): Promise<object | undefined> {
  try {
    return (await validationPipe.transform(body, { type: 'body', metatype })) as object;
  } catch (e) {
    if (e instanceof ProblemError && e.status === 400) return undefined;
    throw e;
  }
}

const odd: unknown[] = [
  undefined,
  null,
  [],
  'x',
  5,
  {},
  { extra: 1 },
  { quantity: 1, extra: 1 },
  { succeed: true, extra: 1 },
  { __proto__: { quantity: 1 } },
];

describe('the cart-line fast route takes exactly the bodies CartLineDto takes as they are', () => {
  const bodies: unknown[] = [
    ...odd,
    ...[
      0,
      1,
      2,
      998,
      999,
      1000,
      -1,
      1.5,
      -0,
      1e3,
      NaN,
      Infinity,
      '1',
      '0',
      true,
      null,
      [1],
      {},
    ].map((quantity) => ({ quantity })),
  ];
  it.each(bodies.map((b) => [JSON.stringify(b) ?? String(b), b]))(
    '%s: the same verdict and quantity as the ValidationPipe',
    async (_name, body) => {
      const dto = (await viaPipe(body, CartLineDto)) as CartLineDto | undefined;
      expect(quantityOf(body)).toEqual(dto?.quantity);
    },
  );

  it("answers the Nest route's 401 to a guest without a token; a caller's own cart otherwise", () => {
    const me = { accountId: 'a1', roles: [] } as never;
    expect(cartOwner(me, 'tok')).toEqual({ accountId: 'a1', guestToken: '' });
    expect(cartOwner(undefined, ['tok', 'other'])).toEqual({ accountId: '', guestToken: 'tok' });
    for (const raw of [undefined, '', ['']])
      expect(() => cartOwner(undefined, raw)).toThrow(
        expect.objectContaining({ status: 401, code: 'AUTHENTICATION_REQUIRED' }),
      );
  });
});

describe('the sandbox-pay fast route takes exactly the bodies SandboxPayDto takes as they are', () => {
  const bodies: unknown[] = [
    ...odd,
    ...[true, false, null, 'true', 'false', 0, 1, [], {}].map((succeed) => ({ succeed })),
  ];
  it.each(bodies.map((b) => [JSON.stringify(b) ?? String(b), b]))(
    '%s: the same verdict and choice as the ValidationPipe',
    async (_name, body) => {
      const dto = (await viaPipe(body, SandboxPayDto)) as SandboxPayDto | undefined;
      expect(succeedOf(body)).toEqual(dto && (dto.succeed ?? true));
    },
  );
});
