import { Ip2RegionPlaceLookup, LOCAL_NETWORK, placeName } from './ip2region-place-lookup';
import { HmacOneTimeCodeHasher } from './node-crypto';

describe('places from ip2region', () => {
  const places = new Ip2RegionPlaceLookup();

  it('names Chinese addresses by province and city', () => {
    expect(places.placeOf('223.5.5.5')).toBe('浙江省杭州市');
    expect(places.placeOf('::ffff:223.5.5.5')).toBe('浙江省杭州市');
    expect(places.placeOf('120.24.78.68')).toBe('广东省深圳市');
  });

  it('private and loopback addresses are the local network; nonsense is unknown', () => {
    for (const ip of ['10.1.2.3', '192.168.1.1', '172.20.0.5', '127.0.0.1', '::1', 'fd00::1'])
      expect(places.placeOf(ip)).toBe(LOCAL_NETWORK);
    expect(places.placeOf('not an address')).toBe('');
    expect(places.placeOf('')).toBe('');
  });

  it('abroad: the country (and region when known)', () => {
    expect(places.placeOf('8.8.8.8')).toBe('美国');
    expect(placeName({ country: '中国', province: '北京市', city: '北京市' })).toBe('北京市');
    expect(placeName({ country: '0', province: '0', city: '内网IP' })).toBe('');
  });
});

describe('one-time code hashing', () => {
  it('keyed, and bound to the code id', () => {
    const a = new HmacOneTimeCodeHasher('key-one-for-tests');
    const b = new HmacOneTimeCodeHasher('key-two-for-tests');
    expect(a.hash('c-1', '123456')).toBe(a.hash('c-1', '123456'));
    expect(a.hash('c-1', '123456')).not.toBe(b.hash('c-1', '123456'));
    expect(a.hash('c-1', '123456')).not.toBe(a.hash('c-2', '123456'));
    expect(a.hash('c-1', '123456')).not.toContain('123456');
  });
});
