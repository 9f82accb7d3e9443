import type { userV1 } from '@emporia/contracts';
import { addressToProto, addressView } from './user-mappers';

const stored: userV1.Address = {
  id: '0190a000-0000-7000-8000-0000000000ad',
  recipient: '韩梅梅',
  phone: '+8613900000000',
  country: 'CN',
  province: '北京市',
  city: '北京市',
  district: '朝阳区',
  line1: '建国路 88 号',
  line2: '',
  postalCode: '100022',
  isDefault: true,
  createdAt: '2026-11-01T00:00:00Z',
  updatedAt: '2026-11-01T00:00:00Z',
  provinceCode: '110000',
  cityCode: '110100',
  districtCode: '110105',
};

describe('address book mapping (issue 24)', () => {
  it('shows the GB/T 2260 codes the user service set from the names', () => {
    expect(addressView(stored)).toMatchObject({
      province: '北京市',
      provinceCode: '110000',
      cityCode: '110100',
      districtCode: '110105',
    });
    expect(
      addressView({ ...stored, country: 'SG', provinceCode: '', cityCode: '', districtCode: '' }),
    ).toMatchObject({ provinceCode: '', cityCode: '', districtCode: '' });
  });

  it('sends no codes: they are output only, the service sets them', () => {
    expect(
      addressToProto(
        {
          recipient: '韩梅梅',
          phone: '+8613900000000',
          country: 'CN',
          province: '北京市',
          city: '北京市',
          district: '朝阳区',
          line1: '建国路 88 号',
        },
        stored.id,
      ),
    ).toMatchObject({ district: '朝阳区', provinceCode: '', cityCode: '', districtCode: '' });
  });
});
