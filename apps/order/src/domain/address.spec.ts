import { anAddress } from '../testing/builders';
import { checkShippingAddress, importedShippingAddress } from './address';

describe('shipping addresses', () => {
  it('a checkout address is refused with the field and reason, or accepted with its codes and doubts', () => {
    expect(() => checkShippingAddress(anAddress({ district: '西湖区' }))).toThrow(
      expect.objectContaining({
        code: 'ADDRESS_INVALID',
        details: { field: 'address.district', reason: 'DISTRICT_NOT_IN_CITY' },
      }),
    );
    expect(
      checkShippingAddress(anAddress({ line1: '文三路附近', phone: '+852 9123 4567' })),
    ).toMatchObject({
      address: { province: '上海市', districtCode: '310115', phone: '+85291234567' },
      doubts: ['PHONE_OTHER_COUNTRY', 'DETAIL_VAGUE'],
    });
  });

  it('an imported order (already sold elsewhere) is never refused for its quality, so a re-import still finds it', () => {
    const vague = anAddress({ province: '浙江省', city: '杭州市', district: '' });
    expect(() => checkShippingAddress(vague)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ reason: 'DISTRICT_MISSING' }) }),
    );
    expect(importedShippingAddress(vague)).toMatchObject({ city: '杭州市', district: '' });
    // a resolvable one gets the divisions' names and codes
    expect(importedShippingAddress(anAddress())).toMatchObject({
      province: '上海市',
      districtCode: '310115',
    });
    // its fields are still checked
    expect(() => importedShippingAddress(anAddress({ line1: '' }))).toThrow(
      expect.objectContaining({ code: 'ADDRESS_INVALID', details: { field: 'address.line1' } }),
    );
  });
});
