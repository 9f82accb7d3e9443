import { checkAddress, type AddressInput } from './address-check';
import { addressFingerprint, normaliseFingerprint } from './address-fingerprint';
import { provinces } from './cn-divisions';

const person = { recipient: '王小明', phone: '+8613800138000', country: 'CN' };
const check = (a: AddressInput) => checkAddress({ ...person, ...a });

describe('checkAddress: Chinese addresses that can be delivered', () => {
  // [written as, province, city, district, codes]
  const good: [AddressInput, string, string, string, [string, string, string]][] = [
    [
      { province: '上海市', city: '上海市', district: '浦东新区', line1: '世纪大道 100 号' },
      '上海市',
      '上海市',
      '浦东新区',
      ['310000', '310100', '310115'],
    ],
    // municipalities: the city level written as the municipality, 市辖区, short or not at all
    [
      { province: '北京', city: '北京', district: '朝阳', line1: '建国路 88 号' },
      '北京市',
      '北京市',
      '朝阳区',
      ['110000', '110100', '110105'],
    ],
    [
      { province: '北京市', city: '市辖区', district: '海淀区', line1: '中关村大街 1 号' },
      '北京市',
      '北京市',
      '海淀区',
      ['110000', '110100', '110108'],
    ],
    [
      { province: '天津市', city: '', district: '和平区', line1: '南京路 1 号' },
      '天津市',
      '天津市',
      '和平区',
      ['120000', '120100', '120101'],
    ],
    // the district written in the city field
    [
      { province: '上海', city: '徐汇区', district: '', line1: '漕溪北路 1 号' },
      '上海市',
      '上海市',
      '徐汇区',
      ['310000', '310100', '310104'],
    ],
    // Chongqing's counties have their own city-level code (500200)
    [
      { province: '重庆市', city: '重庆市', district: '巫山县', line1: '广东路 1 号' },
      '重庆市',
      '重庆市',
      '巫山县',
      ['500000', '500200', '500237'],
    ],
    // traditional characters and full-width digits
    [
      { province: '廣東省', city: '深圳市', district: '南山區', line1: '科技園科技中二路１號' },
      '广东省',
      '深圳市',
      '南山区',
      ['440000', '440300', '440305'],
    ],
    [
      { province: '北京市', city: '北京市', district: '朝陽區', line1: '建國路８８號' },
      '北京市',
      '北京市',
      '朝阳区',
      ['110000', '110100', '110105'],
    ],
    // a character the traditional-to-simplified table folds (乾 → 干) is kept in a name with it
    [
      { province: '吉林省', city: '松原市', district: '乾安縣', line1: '乾安大街 1 號' },
      '吉林省',
      '松原市',
      '乾安县',
      ['220000', '220700', '220723'],
    ],
    [
      { province: '遼寧', city: '瀋陽', district: '瀋河區', line1: '中街路 1 號' },
      '辽宁省',
      '沈阳市',
      '沈河区',
      ['210000', '210100', '210103'],
    ],
    // autonomous regions and prefectures by their short names
    [
      { province: '内蒙古', city: '呼和浩特', district: '新城区', line1: '新华大街 1 号' },
      '内蒙古自治区',
      '呼和浩特市',
      '新城区',
      ['150000', '150100', '150102'],
    ],
    [
      { province: '吉林', city: '延边', district: '延吉', line1: '光明街 1 号' },
      '吉林省',
      '延边朝鲜族自治州',
      '延吉市',
      ['220000', '222400', '222401'],
    ],
    // cities without districts (towns directly) and county-level cities under the province
    [
      { province: '广东省', city: '东莞市', district: '长安镇', line1: '振安路 3 号' },
      '广东省',
      '东莞市',
      '长安镇',
      ['440000', '441900', ''],
    ],
    [
      { province: '海南省', city: '琼海市', district: '', line1: '嘉积镇人民路 1 号' },
      '海南省',
      '琼海市',
      '',
      ['460000', '469002', ''],
    ],
    [
      { province: '新疆', city: '石河子', district: '', line1: '北一路 2 号' },
      '新疆维吾尔自治区',
      '石河子市',
      '',
      ['650000', '659001', ''],
    ],
    // no district written, but the detail line starts with one
    [
      { province: '广东', city: '深圳', district: '', line1: '南山区科技园 1 号' },
      '广东省',
      '深圳市',
      '南山区',
      ['440000', '440300', '440305'],
    ],
    // a name shared by two cities resolves inside the one written
    [
      { province: '吉林省', city: '长春市', district: '朝阳区', line1: '人民大街 1 号' },
      '吉林省',
      '长春市',
      '朝阳区',
      ['220000', '220100', '220104'],
    ],
  ];

  it.each(good)('%j', (input, province, city, district, [pc, cc, dc]) => {
    const { address, errors, doubts } = check(input);
    expect(errors).toEqual([]);
    expect(doubts).toEqual([]);
    expect(address).toMatchObject({ province, city, district });
    expect([address.provinceCode, address.cityCode, address.districtCode]).toEqual([pc, cc, dc]);
  });

  it('makes full-width digits ASCII and the phone E.164, keeping the detail as written', () => {
    const { address } = check({
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      line1: '文三路　９号',
      phone: '138 0013 8000',
      postalCode: '３１００１２',
    });
    expect(address.line1).toBe('文三路 9号');
    expect(address.phone).toBe('+8613800138000');
    expect(address.postalCode).toBe('310012');
  });
});

describe('checkAddress: refused, naming the field', () => {
  const where = { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 9 号' };
  const bad: [string, AddressInput, string, string, RegExp | null][] = [
    ['an unknown province', { province: '火星省' }, 'PROVINCE_UNKNOWN', 'province', null],
    [
      'a city of another province',
      { province: '江苏省' },
      'CITY_NOT_IN_PROVINCE',
      'city',
      /in 浙江省/,
    ],
    [
      'a municipality with a city of elsewhere',
      { province: '上海市', city: '杭州市', district: '' },
      'CITY_NOT_IN_PROVINCE',
      'city',
      null,
    ],
    [
      'a district of another city',
      { district: '南山区' },
      'DISTRICT_NOT_IN_CITY',
      'district',
      null,
    ],
    [
      'a district of another city of the province, said where it is',
      { district: '鄞州区' },
      'DISTRICT_NOT_IN_CITY',
      'district',
      /in 宁波市/,
    ],
    ['no district where the city has them', { district: '' }, 'DISTRICT_MISSING', 'district', null],
    [
      'no district in a municipality',
      { province: '北京市', city: '北京市', district: '', line1: '建国路 88 号' },
      'DISTRICT_MISSING',
      'district',
      null,
    ],
    ['a placeholder', { line1: '测试' }, 'DETAIL_PLACEHOLDER', 'line1', null],
    ['a placeholder in English', { line1: 'TEST' }, 'DETAIL_PLACEHOLDER', 'line1', null],
    [
      'a placeholder in traditional characters',
      { line1: '測試' },
      'DETAIL_PLACEHOLDER',
      'line1',
      null,
    ],
    ['digits typed for nothing', { line1: '123456' }, 'DETAIL_PLACEHOLDER', 'line1', null],
    ['one character repeated', { line1: '啊啊啊啊啊' }, 'DETAIL_REPEATED', 'line1', null],
    ['a word repeated', { line1: '测试测试测试' }, 'DETAIL_REPEATED', 'line1', null],
    ['letters repeated', { line1: 'asdasdasd' }, 'DETAIL_REPEATED', 'line1', null],
    ['a phone too short', { phone: '+8612345' }, 'PHONE_INVALID', 'phone', null],
    [
      'a Chinese mobile with a wrong prefix',
      { phone: '+8612345678901' },
      'PHONE_INVALID',
      'phone',
      null,
    ],
    [
      'a postal code of five digits',
      { postalCode: '31001' },
      'POSTAL_CODE_INVALID',
      'postalCode',
      null,
    ],
  ];

  it.each(bad)('%s', (_, over, code, field, message) => {
    const { errors } = check({ ...where, ...over });
    expect(errors.map((e) => [e.code, e.field])).toContainEqual([code, field]);
    if (message) expect(errors.find((e) => e.code === code)!.message).toMatch(message);
  });

  it('accepts the same address with every error fixed', () => {
    expect(check(where).errors).toEqual([]);
  });
});

describe('checkAddress: doubtful, for risk', () => {
  const where = { province: '浙江省', city: '杭州市', district: '西湖区', line1: '文三路 9 号' };
  const doubtful: [string, AddressInput, string][] = [
    ['no street, number or building', { line1: '西湖边上' }, 'DETAIL_VAGUE'],
    ['a street without a number', { line1: '文三路' }, 'DETAIL_VAGUE'],
    ['near a street', { line1: '文三路附近' }, 'DETAIL_VAGUE'],
    ['near a compound, no number', { line1: '翠苑小区对面' }, 'DETAIL_VAGUE'],
    ['only the district again', { line1: '西湖区' }, 'DETAIL_VAGUE'],
    ['a Hong Kong phone for Hangzhou', { phone: '+85291234567' }, 'PHONE_OTHER_COUNTRY'],
    ['a placeholder recipient', { recipient: '测试' }, 'RECIPIENT_DOUBTFUL'],
    ['digits as recipient', { recipient: '12345' }, 'RECIPIENT_DOUBTFUL'],
    [
      'a detail line in another province',
      { line1: '北京市朝阳区建国路 88 号' },
      'REGION_MISMATCH_IN_DETAIL',
    ],
  ];

  it.each(doubtful)('%s', (_, over, code) => {
    const { errors, doubts } = check({ ...where, ...over });
    expect(errors).toEqual([]);
    expect(doubts.map((d) => d.code)).toEqual([code]);
  });

  it.each([
    ['a village', '桃源村三组'],
    ['a compound and building', '翠苑小区 5 幢'],
    ['English street words', '88 Jianguo Road'],
    ['a street named after another city (广州的北京路)', '北京路 1 号'],
    ['a building by name', '西湖文化广场'],
    ['a numbered group in words', '桃源村五组'],
    ['a building in English', 'Hangzhou Tower'],
  ])('is not vague: %s', (_, line1) => {
    expect(check({ ...where, line1 }).doubts).toEqual([]);
  });
});

describe('checkAddress: the place a detail line starts with, for every name in the tables', () => {
  // the suffixes the check cuts from a district's name (address-check.ts)
  const DISTRICT_SUFFIX = /(新区|区|县|市|旗|林区|特区)$/;
  const where = { province: '浙江省', city: '杭州市', district: '西湖区' };

  it.each([
    ['city', () => provinces().flatMap((p) => p.cities.filter((c) => c.name !== '杭州市')), 300],
    ['province', () => provinces().filter((p) => p.name !== '浙江省'), 30],
  ])(
    'a detail line starting with any other %s is doubted, naming it',
    (_, places: () => { name: string }[], atLeast: number) => {
      const others = places();
      expect(others.length).toBeGreaterThan(atLeast);
      const missed = others.filter((place) => {
        const { doubts } = check({ ...where, line1: `${place.name}人民路 1 号` });
        const doubt = doubts.find((d) => d.code === 'REGION_MISMATCH_IN_DETAIL');
        return !doubt?.message.startsWith(`the detail line names ${place.name},`);
      });
      expect(missed.map((place) => place.name)).toEqual([]);
    },
  );

  it('no district written: the one the detail line starts with, whole or without its suffix', () => {
    const guangdong = provinces().find((p) => p.name === '广东省')!;
    const cases = guangdong.cities.flatMap((c) =>
      c.districts.flatMap((d) => {
        // without its suffix as the check cuts it (清新区 is 清 + 新区: too short to be inferred)
        const stem = d.name.replace(DISTRICT_SUFFIX, '');
        return [d.name, ...(stem.length >= 2 && stem !== d.name ? [stem] : [])].map((written) => ({
          city: c.name,
          line1: `${written}科技园 1 号`,
          want: d.name,
        }));
      }),
    );
    expect(cases.length).toBeGreaterThan(150);
    const wrong = cases.filter(({ city, line1, want }) => {
      const { address } = check({ province: '广东省', city, district: '', line1 });
      return address.district !== want;
    });
    expect(wrong).toEqual([]);
  });
});

describe('checkAddress: other countries', () => {
  it('checks the phone and the detail, not the divisions', () => {
    const r = checkAddress({
      recipient: 'Jane Doe',
      phone: '+14155550123',
      country: 'us',
      province: 'CA',
      city: 'San Francisco',
      line1: '1 Market Street',
      postalCode: '94105',
    });
    expect(r.errors).toEqual([]);
    expect(r.doubts).toEqual([]);
    expect(r.address).toMatchObject({ country: 'US', provinceCode: '', phone: '+14155550123' });
  });
});

describe('addressFingerprint', () => {
  const a = {
    country: 'CN',
    province: '广东省',
    city: '深圳市',
    district: '南山区',
    line1: '科技园 1 号',
    line2: '',
  };

  it('ignores case, white space and punctuation, and treats a missing part as empty', () => {
    expect(addressFingerprint(a)).toBe('cn|广东省|深圳市|南山区|科技园1号|');
    expect(
      addressFingerprint({ ...a, country: 'cn', line1: ' 科技园，1号 ', line2: undefined }),
    ).toBe(addressFingerprint(a));
    expect(addressFingerprint({ ...a, line1: '科技园 2 号' })).not.toBe(addressFingerprint(a));
  });

  it('is one place however it was written', () => {
    const written = [
      { ...a, province: '广东', city: '深圳', district: '南山' },
      { ...a, province: '廣東省', district: '南山區', line1: '科技園１號' },
    ];
    for (const w of written) expect(addressFingerprint(w)).toBe(addressFingerprint(a));
    const beijing = { country: 'CN', province: '北京市', city: '北京市', district: '朝阳区' };
    expect(addressFingerprint({ ...beijing, line1: '建国路 88 号' })).toBe(
      addressFingerprint({
        country: 'CN',
        province: '北京',
        city: '市辖区',
        district: '朝陽',
        line1: '建國路88號',
      }),
    );
  });

  it('keeps what does not resolve as written', () => {
    expect(addressFingerprint({ ...a, province: '火星省' })).toBe(
      'cn|火星省|深圳市|南山区|科技园1号|',
    );
  });

  it('normalises a fingerprint written by hand (a list entry)', () => {
    expect(normaliseFingerprint('CN|广东|深圳|南山|科技园 1 号|')).toBe(addressFingerprint(a));
    expect(normaliseFingerprint('CN|广东省|深圳市|南山区|科技园1号')).toBe(addressFingerprint(a));
  });
});
