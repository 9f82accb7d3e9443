import { addressFingerprint } from './address-fingerprint';

describe('addressFingerprint', () => {
  it('ignores case and whitespace, and treats a missing part as empty', () => {
    const a = {
      country: 'CN',
      province: '广东省',
      city: '深圳市',
      district: '南山区',
      line1: '科技园 1 号',
      line2: '',
    };
    expect(addressFingerprint(a)).toBe('cn|广东省|深圳市|南山区|科技园1号|');
    expect(
      addressFingerprint({ ...a, country: 'cn', line1: ' 科技园1号 ', line2: undefined }),
    ).toBe(addressFingerprint(a));
    expect(addressFingerprint({ ...a, line1: '科技园 2 号' })).not.toBe(addressFingerprint(a));
  });
});
