import { UpdateProductDto } from './dto/catalog.dto';
import { ProfileDto } from './dto/user.dto';
import { validationPipe } from './validation';

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
});
