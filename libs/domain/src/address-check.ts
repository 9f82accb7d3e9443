import { createRequire } from 'node:module';
import type { PhoneNumber } from 'libphonenumber-js';
import {
  type City,
  type District,
  municipalCityCode,
  type Province,
  provinces,
} from './cn-divisions';

/**
 * Address quality (issue 24): a shipping address checked and normalised before it is stored or
 * ordered to. Chinese addresses are resolved against the national administrative divisions
 * (GB/T 2260) — names in simplified or traditional characters, with or without their suffix
 * (北京 / 北京市, 朝阳 / 朝阳区), full-width digits — and get their codes. What cannot be
 * delivered is an error naming the field; what is merely doubtful is a doubt, for risk.
 */

export type AddressField =
  | 'recipient'
  | 'phone'
  | 'country'
  | 'province'
  | 'city'
  | 'district'
  | 'line1'
  | 'line2'
  | 'postalCode';

/** Undeliverable: checkout and the address book refuse the address. */
export const ADDRESS_ERROR_CODES = [
  'PROVINCE_UNKNOWN',
  'CITY_NOT_IN_PROVINCE',
  'DISTRICT_NOT_IN_CITY',
  'DISTRICT_MISSING',
  'DETAIL_PLACEHOLDER',
  'DETAIL_REPEATED',
  'PHONE_INVALID',
  'POSTAL_CODE_INVALID',
] as const;
export type AddressErrorCode = (typeof ADDRESS_ERROR_CODES)[number];

/** Doubtful: accepted, and sent to risk as a signal (rule kind ADDRESS_QUALITY). */
export const ADDRESS_DOUBT_CODES = [
  /** The detail line names no street, number or building. */
  'DETAIL_VAGUE',
  /** A valid phone number of another country than the address's. */
  'PHONE_OTHER_COUNTRY',
  /** The recipient is a placeholder, digits, or one character repeated. */
  'RECIPIENT_DOUBTFUL',
  /** The detail line starts with another province or city than the address's. */
  'REGION_MISMATCH_IN_DETAIL',
] as const;
export type AddressDoubtCode = (typeof ADDRESS_DOUBT_CODES)[number];

export interface AddressIssue<C extends string = AddressErrorCode | AddressDoubtCode> {
  code: C;
  field: AddressField;
  message: string;
}

export type AddressInput = Partial<Record<AddressField, string>>;

export interface CheckedAddress {
  recipient: string;
  /** E.164 when it parses; as given otherwise (then there is a PHONE_INVALID error). */
  phone: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  province: string;
  city: string;
  district: string;
  line1: string;
  line2: string;
  postalCode: string;
  /** GB/T 2260 codes; "" outside China or for a level the place does not have. */
  provinceCode: string;
  cityCode: string;
  districtCode: string;
}

export interface AddressCheck {
  address: CheckedAddress;
  errors: AddressIssue<AddressErrorCode>[];
  doubts: AddressIssue<AddressDoubtCode>[];
}

// --- text normalisation --------------------------------------------------------------------------

type Convert = (s: string) => string;
let toSimplified: Convert | undefined;
let phoneParser: ((text: string, country?: string) => PhoneNumber | undefined) | undefined;

const load = () => {
  if (toSimplified && phoneParser) return;
  const require = createRequire(__filename);
  // OpenCC's character tables only (place names need no phrase conversion): Taiwan's and Hong
  // Kong's variant forms to OpenCC's traditional, then traditional to simplified. A few thousand
  // entries in two maps, where its converters would keep tries of every phrase on the heap
  // (about 6 MB of small objects, which lengthened every major GC of the services using them).
  const { Locale } = require('opencc-js') as {
    Locale: { from: Record<string, string[][]>; to: Record<string, string[][]> };
  };
  const table = (dict: string, into: Map<string, string>) => {
    for (const pair of dict.split('|')) {
      const [from, ...to] = pair.split(' ');
      // a character that is also its own simplified form keeps it (乾 in 乾安县, 乾县)
      if (to.length && [...from].length === 1 && !into.has(from) && !to.includes(from))
        into.set(from, to[0]);
    }
    return into;
  };
  const characters = (groups: string[][]) => groups[0][groups[0].length - 1];
  const variants = table(characters(Locale.from.hk), table(characters(Locale.from.tw), new Map()));
  const simplified = table(characters(Locale.to.cn), new Map());
  toSimplified = (text) => {
    let out = '';
    for (const c of text) {
      const standard = variants.get(c) ?? c;
      out += simplified.get(standard) ?? standard;
    }
    return out;
  };
  const phones = require('libphonenumber-js/max') as {
    parsePhoneNumberFromString(text: string, country?: string): PhoneNumber | undefined;
  };
  phoneParser = (text, country) => phones.parsePhoneNumberFromString(text, country);
};

/** Full-width forms to ASCII (NFKC), white space collapsed, trimmed. */
export const tidy = (s: string | undefined): string =>
  (s ?? '').normalize('NFKC').replace(/\s+/g, ' ').trim();

/** For comparing names: tidy, simplified characters, no white space, lower case. */
export function squash(s: string | undefined): string {
  load();
  return toSimplified!(tidy(s)).replace(/\s+/g, '').toLowerCase();
}

/** Squashed, and without punctuation or symbols (for fingerprints and detail checks). */
const bare = (s: string | undefined) => squash(s).replace(/[\p{P}\p{S}|]/gu, '');

// --- names ---------------------------------------------------------------------------------------

const PROVINCE_SUFFIX = /(省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)$/;
const CITY_SUFFIX = /(市|地区|盟|林区)$/;
const DISTRICT_SUFFIX = /(新区|区|县|市|旗|林区|特区)$/;
const NO_SUFFIX = /$^/;
/** What people write for a municipality's own city level. */
const MUNICIPAL_CITY = new Set(['', '市辖区', '县', '市', '城区', '郊县']);

interface Named {
  name: string;
}

/** English names that are not the pinyin of the Chinese one. */
const ENGLISH: Record<string, string> = {
  shaanxi: '陕西省',
  innermongolia: '内蒙古自治区',
  tibet: '西藏自治区',
  hongkong: '香港特别行政区',
  macau: '澳门特别行政区',
  macao: '澳门特别行政区',
};
const ENGLISH_SUFFIX =
  /\b(province|city|district|county|municipality|autonomous region|special administrative region|sar|prefecture|new area|new district)\b/g;

const romanised = new WeakMap<Named, [string, string]>();
let pinyinOf: ((s: string) => string) | undefined;

/** The name and its stem without suffix in pinyin without tones or spaces (上海市: shanghaishi, shanghai). */
function pinyinNames(item: Named, suffix: RegExp): [string, string] {
  let r = romanised.get(item);
  if (!r) {
    if (!pinyinOf) {
      const { pinyin } = createRequire(__filename)('pinyin-pro') as {
        pinyin(text: string, o: { toneType: 'none'; type: 'array'; v: boolean }): string[];
      };
      pinyinOf = (text) => pinyin(text, { toneType: 'none', type: 'array', v: true }).join('');
    }
    r = [pinyinOf(item.name), pinyinOf(item.name.replace(suffix, ''))];
    romanised.set(item, r);
  }
  return r;
}

/** A name written in Latin letters (Shanghai, Pudong New Area, Inner Mongolia), matched by pinyin. */
function pickRomanised<T extends Named>(
  items: readonly T[],
  input: string,
  suffix: RegExp,
): T | undefined {
  const words = input.toLowerCase();
  const whole = words.replace(/[^a-z]/g, '');
  const q = words.replace(ENGLISH_SUFFIX, '').replace(/[^a-z]/g, '');
  if (!q) return undefined;
  const english = ENGLISH[q] ?? ENGLISH[whole];
  if (english) return items.find((i) => i.name === english);
  const names = items.map((i) => [i, ...pinyinNames(i, suffix)] as const);
  for (const test of [
    ([, full, stem]: (typeof names)[number]) => full === whole || stem === q,
    ([, full]: (typeof names)[number]) => q.length >= 4 && full.startsWith(q),
  ]) {
    const found = names.filter(test);
    if (found.length === 1) return found[0][0];
    if (found.length > 1) return undefined;
  }
  return undefined;
}

/**
 * The one entry whose name is `input`: the whole name, the name without its suffix
 * (杭州 → 杭州市, 朝阳 → 朝阳区), a unique prefix of at least two characters (延边 →
 * 延边朝鲜族自治州), or the same in pinyin (Hangzhou, Chaoyang District, Yanbian). Undefined
 * when none or several fit.
 */
function pick<T extends Named>(items: readonly T[], input: string, suffix: RegExp): T | undefined {
  const q = squash(input);
  if (!q) return undefined;
  if (/^[a-z][a-z\s'.-]*$/i.test(tidy(input))) return pickRomanised(items, tidy(input), suffix);
  const exact = items.filter((i) => keyOf(i) === q);
  if (exact.length === 1) return exact[0];
  const stem = q.replace(suffix, '');
  const short = items.filter((i) => keyOf(i).replace(suffix, '') === stem && stem.length > 0);
  if (short.length === 1) return short[0];
  if (q.length < 2) return undefined;
  const prefixed = items.filter((i) => keyOf(i).startsWith(stem.length >= 2 ? stem : q));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

const keys = new WeakMap<Named, string>();
/**
 * A name as input is compared: through the same character table, so a character the table folds
 * (乾 → 干) folds on both sides and 乾安縣 still finds 乾安县.
 */
function keyOf(item: Named): string {
  let k = keys.get(item);
  if (k === undefined) {
    k = squash(item.name);
    keys.set(item, k);
  }
  return k;
}

/**
 * Builds now what the first address check would build: the character tables, the phone
 * metadata and every division's comparison key. Lazy, the first checkout or fingerprint after a
 * start paid for it (40 ms on an idle core; 370 ms on a busy CI machine, past risk's deadline
 * in order's saga). A service whose requests check or fingerprint addresses calls it while it
 * starts, before it serves. Pinyin stays lazy: it is for names written in Latin letters, rare,
 * and its dictionary would hold 8 MB more in every such service.
 */
export function prepareAddressCheck(): void {
  for (const p of provinces()) {
    keyOf(p);
    for (const d of p.districts) keyOf(d);
    for (const c of p.cities) {
      keyOf(c);
      for (const d of c.districts) keyOf(d);
    }
  }
  // the remaining first-call costs (the phone metadata, regular expressions, the code path)
  checkAddress({
    country: 'CN',
    province: '浙江',
    city: '杭州',
    district: '西湖',
    line1: '文三路 1 号',
    phone: '13800138000',
  });
}

const findProvince = (input: string) => pick(provinces(), input, PROVINCE_SUFFIX);

let cities: City[] | undefined;
/** Every city of every province (built once). */
const allCities = (): City[] => (cities ??= provinces().flatMap((p) => p.cities));

/** A list's names a detail line may start with (two characters or more), by their first character. */
type LeadIndex<T> = Map<string, [item: T, name: string][]>;
const leadIndexes = new WeakMap<readonly Named[], Map<RegExp, LeadIndex<Named>>>();

/**
 * Built once per list and suffix: every checkout asks whether its detail line starts with the
 * name of a province or of one of some 340 cities, and comparing every name (with its suffix cut
 * by a regular expression each time) was most of an address check's time.
 */
function leadIndex<T extends Named>(items: readonly T[], suffix: RegExp): LeadIndex<T> {
  let bySuffix = leadIndexes.get(items);
  if (!bySuffix) leadIndexes.set(items, (bySuffix = new Map()));
  let index = bySuffix.get(suffix) as LeadIndex<T> | undefined;
  if (!index) {
    index = new Map();
    for (const i of items)
      for (const n of [keyOf(i), keyOf(i).replace(suffix, '')])
        if (n.length >= 2) {
          const same = index.get(n[0]);
          if (same) same.push([i, n]);
          else index.set(n[0], [[i, n]]);
        }
    bySuffix.set(suffix, index as LeadIndex<Named>);
  }
  return index;
}

/**
 * The names a place's detail line may start with: the whole name, and without its suffix. The
 * longest wins; of names as long, the first in the list's order.
 */
function leadingName<T extends Named>(
  items: readonly T[],
  text: string,
  suffix: RegExp,
): T | undefined {
  let best: T | undefined;
  let bestLength = 0;
  for (const [i, n] of leadIndex(items, suffix).get(text[0]) ?? [])
    if (n.length > bestLength && text.startsWith(n)) {
      best = i;
      bestLength = n.length;
    }
  return best;
}

const stripLeading = (text: string, names: string[]): string => {
  let out = text;
  for (const n of names)
    for (const v of [n, n.replace(DISTRICT_SUFFIX, ''), n.replace(PROVINCE_SUFFIX, '')])
      if (v.length >= 2 && out.startsWith(v)) {
        out = out.slice(v.length);
        break;
      }
  return out;
};

// --- detail lines --------------------------------------------------------------------------------

const PLACEHOLDERS = new Set([
  'test',
  'testing',
  'demo',
  'sample',
  'example',
  'null',
  'none',
  'na',
  'nil',
  'unknown',
  'asdf',
  'asdfgh',
  'qwer',
  'qwerty',
  'abc',
  'xx',
  'xxx',
  '无',
  '暂无',
  '没有',
  '不详',
  '不知道',
  '未知',
  '测试',
  '测试地址',
  '地址',
  '详细地址',
  '随便',
  '随便写',
  '随便填',
  '123',
  '1234',
  '12345',
  '123456',
]);

/**
 * What lets a courier find the door: a number (digits, or a Chinese numeral before a unit: 三组,
 * 五栋), or a named place (a building, compound, village, shop). A street on its own is not enough
 * (文三路 is kilometres long), nor is "near" something (观前街附近).
 */
const NUMBER = /\d|[一二三四五六七八九十百零两]+[号號栋棟幢座楼樓层層室组組单元]/u;
const PLACE =
  /[号號栋棟幢座楼樓层層室村组組屯寨坊苑庭院府邸厦廈场場站校厂廠铺舖店馆館]|单元|單元|社区|社區|小区|小區|大厦|广场|花园|公寓|中心|宿舍|医院|大学|学院|酒店|宾馆|工业区|开发区|新村|园区/u;
const PLACE_WORDS =
  /\b(no|building|bldg|floor|fl|room|rm|unit|block|blk|tower|apt|apartment|suite|house|plaza|estate|hotel|hospital|university|school|mall)\b/i;
const APPROXIMATE = /附近|旁边|旁邊|对面|對面|周边|周邊|一带|一帶|左右|大概|后面|後面/u;

const vagueDetail = (rest: string, typed: string): boolean =>
  rest.length < 2 ||
  !(
    NUMBER.test(rest) ||
    ((PLACE.test(rest) || PLACE_WORDS.test(typed)) && !APPROXIMATE.test(rest))
  );

/** One to four characters repeated over the whole text (啊啊啊, 测试测试测试, abcabcabc). */
const repeated = (s: string): boolean => {
  if (s.length < 3) return false;
  for (let n = 1; n <= 4 && n * 3 <= s.length; n++) {
    const unit = s.slice(0, n);
    if (unit.repeat(Math.ceil(s.length / n)).slice(0, s.length) === s && s.length % n === 0)
      return true;
  }
  return false;
};

const RECIPIENT_PLACEHOLDERS = new Set([
  'test',
  'demo',
  'null',
  'none',
  'unknown',
  'xxx',
  'xx',
  'x',
  '测试',
  '无',
  '收货人',
  '姓名',
  '某某',
  '张三',
  '李四',
]);

// --- the check -----------------------------------------------------------------------------------

/**
 * Checks and normalises an address whose required fields are present and bounded (the
 * callers' field validation runs first). Names are kept as the divisions spell them; detail
 * lines keep the customer's characters, full-width forms made ASCII.
 */
export function checkAddress(input: AddressInput): AddressCheck {
  load();
  const errors: AddressIssue<AddressErrorCode>[] = [];
  const doubts: AddressIssue<AddressDoubtCode>[] = [];
  const error = (code: AddressErrorCode, field: AddressField, message: string) =>
    errors.push({ code, field, message });
  const doubt = (code: AddressDoubtCode, field: AddressField, message: string) =>
    doubts.push({ code, field, message });

  const country = tidy(input.country).toUpperCase();
  const out: CheckedAddress = {
    recipient: tidy(input.recipient),
    phone: tidy(input.phone),
    country,
    province: tidy(input.province),
    city: tidy(input.city),
    district: tidy(input.district),
    line1: tidy(input.line1),
    line2: tidy(input.line2),
    postalCode: tidy(input.postalCode).toUpperCase(),
    provinceCode: '',
    cityCode: '',
    districtCode: '',
  };

  // the phone: a valid number, of this country or (doubtful) another
  const phone = out.phone ? phoneParser!(out.phone, country || undefined) : undefined;
  if (out.phone && (!phone || !phone.isValid()))
    error('PHONE_INVALID', 'phone', `'${out.phone}' is not a valid phone number`);
  else if (phone) {
    out.phone = phone.number;
    if (country && phone.country && phone.country !== country)
      doubt(
        'PHONE_OTHER_COUNTRY',
        'phone',
        `the phone is a ${phone.country} number, the address is in ${country}`,
      );
  }

  const recipient = bare(out.recipient);
  if (
    out.recipient &&
    (RECIPIENT_PLACEHOLDERS.has(recipient) ||
      /^\d+$/.test(recipient) ||
      (recipient.length >= 2 && new Set(recipient).size === 1))
  )
    doubt('RECIPIENT_DOUBTFUL', 'recipient', `'${out.recipient}' does not look like a name`);

  let region: string[] = [];
  let province: Province | undefined;
  if (country === 'CN') {
    if (out.postalCode && !/^\d{6}$/.test(out.postalCode))
      error('POSTAL_CODE_INVALID', 'postalCode', 'a Chinese postal code is six digits');
    province = resolveRegion(out, error);
    region = [out.province, out.city, out.district];
  }

  // the detail line
  const detail = bare(`${out.line1}${out.line2}`);
  if (PLACEHOLDERS.has(detail) || PLACEHOLDERS.has(bare(out.line1)))
    error('DETAIL_PLACEHOLDER', 'line1', `'${out.line1}' is a placeholder, not an address`);
  else if (repeated(detail) || repeated(bare(out.line1)))
    error('DETAIL_REPEATED', 'line1', `'${out.line1}' repeats the same text`);
  else {
    const rest = stripLeading(detail, region.map(squash));
    if (vagueDetail(rest, `${out.line1} ${out.line2}`))
      doubt(
        'DETAIL_VAGUE',
        'line1',
        'the detail line names no street, number or building a courier could find',
      );
    if (province) {
      // whole names only: streets are often named after places (广州的北京路, 重庆的广东路)
      const other = leadingName(provinces(), detail, NO_SUFFIX);
      const city = leadingName(allCities(), detail, NO_SUFFIX);
      if (
        (other && other.code !== province.code) ||
        (city && out.cityCode && city.code !== out.cityCode && !province.municipality)
      )
        doubt(
          'REGION_MISMATCH_IN_DETAIL',
          'line1',
          `the detail line names ${(other && other.code !== province.code ? other : city)!.name}, not ${out.province} ${out.city}`.trim(),
        );
    }
  }
  return { address: out, errors, doubts };
}

/** Resolves province, city and district of a Chinese address in place; errors name the field. */
function resolveRegion(
  out: CheckedAddress,
  error: (code: AddressErrorCode, field: AddressField, message: string) => void,
): Province | undefined {
  const province = findProvince(out.province);
  if (!province) {
    error('PROVINCE_UNKNOWN', 'province', `'${out.province}' is not a Chinese province`);
    return undefined;
  }
  out.province = province.name;
  out.provinceCode = province.code;
  if (province.cities.length === 0 && province.districts.length === 0) return province; // 台湾省

  const elsewhere = (name: string) => {
    for (const p of provinces())
      if (p.code !== province.code && pick(p.cities, name, CITY_SUFFIX)) return p.name;
    return undefined;
  };

  if (province.municipality) {
    const special = province.code.startsWith('81') || province.code.startsWith('82');
    // city: the municipality itself, 市辖区 or empty; or the district written in the city field
    let districtText = out.district;
    const cityText = squash(out.city);
    const sameCity =
      MUNICIPAL_CITY.has(cityText) || pick([province], out.city, PROVINCE_SUFFIX) !== undefined;
    if (!sameCity) {
      const asDistrict = pick(province.districts, out.city, DISTRICT_SUFFIX);
      if (asDistrict && !districtText) districtText = asDistrict.name;
      else if (!asDistrict) {
        const where = elsewhere(out.city);
        error(
          'CITY_NOT_IN_PROVINCE',
          'city',
          `'${out.city}' is not in ${province.name}${where ? ` (it is in ${where})` : ''}`,
        );
        return province;
      }
    }
    out.city = province.name;
    const district = resolveDistrict(province.districts, districtText, out, province.name, error);
    if (district) {
      out.districtCode = district.code;
      out.cityCode = special ? '' : municipalCityCode(district.code);
    }
    return province;
  }

  const city = pick(province.cities, out.city, CITY_SUFFIX);
  if (!city) {
    const where = elsewhere(out.city);
    error(
      'CITY_NOT_IN_PROVINCE',
      'city',
      `'${out.city}' is not a city of ${province.name}${where ? ` (it is in ${where})` : ''}`,
    );
    return province;
  }
  out.city = city.name;
  out.cityCode = city.code;
  if (city.districts.length === 0) return province; // 东莞市, 琼海市 …: towns, no districts
  const district = resolveDistrict(city.districts, out.district, out, city.name, error, province);
  if (district) out.districtCode = district.code;
  return province;
}

function resolveDistrict(
  districts: readonly District[],
  text: string,
  out: CheckedAddress,
  parent: string,
  error: (code: AddressErrorCode, field: AddressField, message: string) => void,
  province?: Province,
): District | undefined {
  if (!tidy(text)) {
    // not written: taken from the start of the detail line when it names one (南山区科技园 …)
    const inferred = leadingName(districts, squash(out.line1), DISTRICT_SUFFIX);
    if (inferred) {
      out.district = inferred.name;
      return inferred;
    }
    error('DISTRICT_MISSING', 'district', `name the district or county of ${parent}`);
    return undefined;
  }
  const district = pick(districts, text, DISTRICT_SUFFIX);
  if (!district) {
    const where = province?.cities.find((c) => pick(c.districts, text, DISTRICT_SUFFIX))?.name;
    error(
      'DISTRICT_NOT_IN_CITY',
      'district',
      `'${tidy(text)}' is not a district of ${parent}${where ? ` (it is in ${where})` : ''}`,
    );
    return undefined;
  }
  out.district = district.name;
  return district;
}

/**
 * The normalised parts of an address for fingerprints: Chinese names resolved to the divisions'
 * (no error is raised here: what does not resolve stays as written), detail lines squashed.
 */
export function canonicalParts(a: AddressInput): string[] {
  const country = tidy(a.country).toUpperCase();
  let province = a.province ?? '';
  let city = a.city ?? '';
  let district = a.district ?? '';
  if (country === 'CN' && (province || city || district)) {
    load();
    const place = {
      province: tidy(province),
      city: tidy(city),
      district: tidy(district),
      line1: tidy(a.line1),
    } as CheckedAddress;
    resolveRegion(place, () => undefined);
    province = place.province;
    city = place.city;
    district = place.district;
  }
  return [country, province, city, district, a.line1 ?? '', a.line2 ?? ''].map(bare);
}

/**
 * Keys to compare two places by province and city however each was written (上海市 and
 * Shanghai are one province): GB/T 2260 codes where the names resolve, else the names squashed.
 * A municipality's city written as the municipality (or 市辖区, or empty) is its city code; a
 * district written there is that district's code. Never throws.
 */
export function regionKeys(a: { country?: string; province?: string; city?: string }): {
  province: string;
  city: string;
} {
  const text = { province: squash(a.province), city: squash(a.city) };
  if (tidy(a.country).toUpperCase() !== 'CN') return text;
  const province = findProvince(a.province ?? '');
  if (!province) return text;
  if (province.municipality) {
    const own =
      MUNICIPAL_CITY.has(text.city) ||
      pick([province], a.city ?? '', PROVINCE_SUFFIX) !== undefined;
    const district = own ? undefined : pick(province.districts, a.city ?? '', DISTRICT_SUFFIX);
    return {
      province: province.code,
      city: own ? `${province.code.slice(0, 2)}0100` : (district?.code ?? text.city),
    };
  }
  const city = pick(province.cities, a.city ?? '', CITY_SUFFIX);
  return { province: province.code, city: city?.code ?? text.city };
}
