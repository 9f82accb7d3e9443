import { RfmQuery } from './dto/analytics.dto';
import { UpdateProductDto } from './dto/catalog.dto';
import { SearchQuery } from './dto/search.dto';
import { ProfileDto } from './dto/user.dto';
import { ReceiveReturnDto } from './dto/order.dto';
import { validationPipe } from './validation';

const query = (metatype: new () => object, value: unknown) =>
  validationPipe.transform(value, { type: 'query', metatype });
const body = (metatype: new () => object, value: unknown) =>
  validationPipe.transform(value, { type: 'body', metatype });

describe('the validation pipe', () => {
  it.each([
    ['no body', undefined],
    ['null', null],
    ['an array', []],
    ['a string', 'x'],
  ])('refuses %s where a route takes a JSON object (400 BODY_REQUIRED)', async (_what, value) => {
    // every field of a profile update is optional: without this check nothing was accepted
    await expect(body(ProfileDto, value)).rejects.toMatchObject({
      status: 400,
      code: 'BODY_REQUIRED',
    });
    await expect(body(ProfileDto, {})).resolves.toBeInstanceOf(ProfileDto);
  });

  it('takes no body as {} where the body may be left out (a return received), nothing else', async () => {
    await expect(body(ReceiveReturnDto, undefined)).resolves.toEqual(new ReceiveReturnDto());
    await expect(body(ReceiveReturnDto, {})).resolves.toBeInstanceOf(ReceiveReturnDto);
    await expect(
      body(ReceiveReturnDto, { itemsMismatch: true, note: 'a brick in the box' }),
    ).resolves.toMatchObject({ itemsMismatch: true, note: 'a brick in the box' });
    for (const value of [null, [], 'x'])
      await expect(body(ReceiveReturnDto, value)).rejects.toMatchObject({
        status: 400,
        code: 'BODY_REQUIRED',
      });
    for (const [value, field] of [
      [{ itemsMismatch: 'yes' }, 'itemsMismatch'],
      [{ note: 'x'.repeat(501) }, 'note'],
      [{ itemsMismatch: null }, 'itemsMismatch'],
      [{ restock: false }, 'restock'],
    ] as const)
      await expect(body(ReceiveReturnDto, value)).rejects.toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
        errors: expect.arrayContaining([expect.objectContaining({ field })]),
      });
  });

  it('refuses a SKU without its price (it reached the handler and failed with a 500)', async () => {
    await expect(
      body(UpdateProductDto, {
        upsertSkus: [{ code: 'CASE-BLK', attributes: { color: 'black' } }],
      }),
    ).rejects.toMatchObject({
      status: 400,
      errors: expect.arrayContaining([expect.objectContaining({ field: 'upsertSkus.0.price' })]),
    });
  });

  it.each([
    ['empty', ''],
    ['blank', ' '],
    ['hex', '0x10'],
    ['an exponent', '1e2'],
    ['repeated', ['1', '2']],
  ])(
    'refuses a query number sent %s (an empty ?limit= was taken as 0 and answered 200)',
    async (_what, limit) => {
      await expect(query(RfmQuery, { limit })).rejects.toMatchObject({
        status: 400,
        errors: expect.arrayContaining([expect.objectContaining({ field: 'limit' })]),
      });
      await expect(query(SearchQuery, { minPrice: limit })).rejects.toMatchObject({
        status: 400,
      });
    },
  );

  it('takes a query number written in decimal digits', async () => {
    await expect(query(RfmQuery, { limit: '0' })).resolves.toMatchObject({ limit: 0 });
    await expect(query(RfmQuery, { limit: '25' })).resolves.toMatchObject({ limit: 25 });
    expect(((await query(RfmQuery, {})) as RfmQuery).limit).toBeUndefined();
  });
});
