import { Money } from '@emporia/money';
import {
  DefaultRoutingStrategy,
  defaultRoutingStrategy,
  distanceTier,
  type RoutingInput,
  type RoutingWarehouse,
} from './routing';

const address = { country: 'CN', province: 'Shanghai', city: 'Shanghai' };

/** "CODE@country/province/city:cost[CUR][!]" — '!' marks an inactive warehouse. */
function wh(spec: string): RoutingWarehouse {
  const m = /^([^@]+)@([^/]*)\/([^/]*)\/([^:]*):(\d+)([A-Z]{3})?(!)?$/.exec(spec);
  if (!m) throw new Error(`bad warehouse spec ${spec}`);
  return {
    code: m[1],
    country: m[2],
    province: m[3],
    city: m[4],
    shippingCost: Money.of(Number(m[5]), m[6] ?? 'CNY'),
    active: !m[7],
  };
}

/** "sku:WH=qty,WH=qty" */
const stock = (...specs: string[]) =>
  specs.flatMap((s) => {
    const [skuId, rest] = s.split(':');
    return rest.split(',').map((p) => {
      const [warehouseCode, q] = p.split('=');
      return { skuId, warehouseCode, available: Number(q) };
    });
  });

/** "sku=qty" */
const cart = (...specs: string[]) =>
  specs.map((s) => {
    const [skuId, q] = s.split('=');
    return { skuId, quantity: Number(q) };
  });

/** The plan as "sku@WH=qty" strings. */
const routed = (input: RoutingInput) =>
  defaultRoutingStrategy
    .route(input)
    .lines.map((l) => `${l.skuId}@${l.warehouseCode}=${l.quantity}`);

// near to far from Shanghai/Shanghai: SH (city), SZ (province), BJ (country), HK (abroad)
const SH = 'SH@CN/Shanghai/Shanghai:1000';
const SZ = 'SZ@CN/Shanghai/Songjiang:500';
const BJ = 'BJ@CN/Beijing/Beijing:100';
const HK = 'HK@HK/Hong Kong/Hong Kong:0';

describe('distance tiers', () => {
  it.each<[string, number, { country: string; province: string; city: string } | null]>([
    ['same city', 0, { country: 'cn', province: ' shanghai ', city: 'SHANGHAI' }],
    ['same province, other city', 1, { country: 'CN', province: 'Shanghai', city: 'Songjiang' }],
    ['same country, other province', 2, { country: 'CN', province: 'Beijing', city: 'Beijing' }],
    [
      'a same-named city in another province',
      2,
      { country: 'CN', province: 'Jilin', city: 'Shanghai' },
    ],
    ['another country', 3, { country: 'HK', province: 'Shanghai', city: 'Shanghai' }],
    ['an unknown location', 3, null],
  ])('%s: tier %i', (_label, tier, at) => {
    expect(distanceTier(at, address)).toBe(tier);
  });
});

describe('default routing strategy', () => {
  it.each<[string, { warehouses: string[]; availability: string[]; lines: string[] }, string[]]>([
    [
      'one warehouse holding the whole cart beats a split over nearer ones',
      {
        warehouses: [SH, SZ, BJ],
        availability: ['a:SH=5,BJ=5', 'b:SZ=5,BJ=5'],
        lines: ['a=2', 'b=2'],
      },
      ['a@BJ=2', 'b@BJ=2'],
    ],
    [
      'distance beats cost: the same-city warehouse wins over a cheaper same-country one',
      { warehouses: [SH, BJ], availability: ['a:SH=5,BJ=5'], lines: ['a=1'] },
      ['a@SH=1'],
    ],
    [
      'distance beats cost: a free warehouse abroad loses to any domestic one',
      { warehouses: [HK, BJ], availability: ['a:HK=5,BJ=5'], lines: ['a=1'] },
      ['a@BJ=1'],
    ],
    [
      'cost breaks a distance tie',
      {
        warehouses: ['X1@CN/Beijing/Beijing:900', 'X2@CN/Hebei/Langfang:300'],
        availability: ['a:X1=5,X2=5'],
        lines: ['a=1'],
      },
      ['a@X2=1'],
    ],
    [
      'the code breaks a distance and cost tie',
      {
        warehouses: ['B2@CN/Hebei/Langfang:300', 'B1@CN/Hebei/Baoding:300'],
        availability: ['a:B2=5,B1=5'],
        lines: ['a=1'],
      },
      ['a@B1=1'],
    ],
    [
      'split when no warehouse holds everything, nearest first',
      { warehouses: [SH, SZ, BJ], availability: ['a:SH=2,SZ=5,BJ=5'], lines: ['a=6'] },
      ['a@SH=2', 'a@SZ=4'],
    ],
    [
      'a split prefers warehouses the plan already ships from',
      {
        warehouses: [SH, SZ, BJ],
        availability: ['a:BJ=3', 'b:SH=3,BJ=3', 'c:SZ=3'],
        lines: ['a=1', 'b=1', 'c=1'],
      },
      // b could come from SH (nearer), but BJ ships anyway for a
      ['a@BJ=1', 'b@BJ=1', 'c@SZ=1'],
    ],
    [
      'a split takes the rest of a line from one warehouse that has it all, not two nearer ones',
      {
        warehouses: [SH, SZ, BJ],
        availability: ['a:SH=1,SZ=1,BJ=9', 'b:SH=1'],
        lines: ['a=3', 'b=1'],
      },
      ['a@BJ=2', 'a@SH=1', 'b@SH=1'],
    ],
    [
      'the most constrained line chooses first, so flexible lines join its warehouse',
      {
        warehouses: [SH, SZ, BJ],
        availability: ['a:SH=1,SZ=1', 'b:SZ=1,BJ=1', 'z:BJ=1'],
        lines: ['a=1', 'b=1', 'z=1'],
      },
      // z can only come from BJ; b then joins BJ rather than opening SZ
      ['a@SH=1', 'b@BJ=1', 'z@BJ=1'],
    ],
    [
      'inactive warehouses are skipped, whatever they hold',
      {
        warehouses: [`${SH}!`, SZ, BJ],
        availability: ['a:SH=9,SZ=1,BJ=1'],
        lines: ['a=2'],
      },
      ['a@BJ=1', 'a@SZ=1'],
    ],
    [
      'stock in an unregistered warehouse counts, at the farthest tier with no cost',
      { warehouses: [HK, BJ], availability: ['a:HK=5,BJ=5,ZZ=5'], lines: ['a=1'] },
      ['a@BJ=1'],
    ],
    [
      'an unregistered warehouse ranks with the free ones of the farthest tier',
      {
        warehouses: ['HK@HK/Hong Kong/Hong Kong:700'],
        availability: ['a:HK=5,ZZ=5'],
        lines: ['a=1'],
      },
      ['a@ZZ=1'],
    ],
    [
      'lines of one SKU are summed before routing',
      { warehouses: [SH, BJ], availability: ['a:SH=2,BJ=3'], lines: ['a=1', 'a=2'] },
      ['a@BJ=3'],
    ],
  ])('%s', (_label, spec, expected) => {
    expect(
      routed({
        address,
        warehouses: spec.warehouses.map(wh),
        availability: stock(...spec.availability),
        lines: cart(...spec.lines),
      }),
    ).toEqual(expected);
  });

  it('costs in the order currency compare by amount; other currencies are never converted', () => {
    const input = (currency?: string): RoutingInput => ({
      address,
      warehouses: ['U@CN/Beijing/Beijing:1USD', 'C@CN/Hebei/Langfang:800CNY'].map(wh),
      availability: stock('a:U=1,C=1'),
      lines: cart('a=1'),
      ...(currency ? { currency } : {}),
    });
    expect(routed(input('CNY'))).toEqual(['a@C=1']);
    expect(routed(input('USD'))).toEqual(['a@U=1']);
    // without a currency: by currency code, then amount (deterministic, not a conversion)
    expect(routed(input())).toEqual(['a@C=1']);
  });

  it('lists the warehouses shipping, one shipment each', () => {
    const plan = defaultRoutingStrategy.route({
      address,
      warehouses: [SH, SZ, BJ].map(wh),
      availability: stock('a:SH=2,SZ=5'),
      lines: cart('a=6'),
    });
    expect(plan.warehouseCodes).toEqual(['SH', 'SZ']);
  });

  it.each<
    [string, string[], string[], string[], { skuId: string; requested: number; available: number }]
  >([
    [
      'nowhere near enough',
      [SH, BJ],
      ['a:SH=1,BJ=1'],
      ['a=3'],
      { skuId: 'a', requested: 3, available: 2 },
    ],
    [
      'stock only in an inactive warehouse',
      [`${SH}!`],
      ['a:SH=9'],
      ['a=1'],
      { skuId: 'a', requested: 1, available: 0 },
    ],
    [
      'a SKU held nowhere',
      [SH],
      ['a:SH=9'],
      ['a=1', 'b=1'],
      { skuId: 'b', requested: 1, available: 0 },
    ],
    [
      'reserved-out stock',
      [SH],
      ['a:SH=0', 'a:SH=-2'],
      ['a=1'],
      { skuId: 'a', requested: 1, available: 0 },
    ],
  ])(
    'refuses %s with STOCK_INSUFFICIENT naming the SKU',
    (_label, warehouses, availability, lines, details) => {
      expect(() =>
        defaultRoutingStrategy.route({
          address,
          warehouses: warehouses.map(wh),
          availability: stock(...availability),
          lines: cart(...lines),
        }),
      ).toThrow(
        expect.objectContaining({
          name: 'OrderError',
          kind: 'FAILED_PRECONDITION',
          code: 'STOCK_INSUFFICIENT',
          details,
        }),
      );
    },
  );

  it('refuses a quantity that is not a whole number from 1', () => {
    for (const quantity of [0, -1, 1.5])
      expect(() =>
        defaultRoutingStrategy.route({
          address,
          warehouses: [],
          availability: [],
          lines: [{ skuId: 'a', quantity }],
        }),
      ).toThrow(expect.objectContaining({ code: 'QUANTITY_INVALID' }));
  });

  it('routes an empty cart to nothing', () => {
    expect(
      defaultRoutingStrategy.route({ address, warehouses: [wh(SH)], availability: [], lines: [] }),
    ).toEqual({ lines: [], warehouseCodes: [] });
  });

  it('is deterministic: the same plan whatever the order of its inputs', () => {
    const warehouses = [
      SH,
      SZ,
      BJ,
      HK,
      'B1@CN/Beijing/Beijing:100',
      'ZZ@CN/Hebei/Langfang:100',
    ].map(wh);
    const availability = stock(
      'a:SH=1,SZ=1,BJ=2,B1=2,HK=4',
      'b:BJ=1,B1=1,ZZ=3',
      'c:SZ=2,HK=1,B1=1',
      'd:HK=2,B1=2,BJ=2',
    );
    const lines = cart('a=4', 'b=2', 'c=2', 'd=2');
    const first = new DefaultRoutingStrategy().route({ address, warehouses, availability, lines });
    // a seeded shuffle: reproducible, yet every run sees many orders
    let seed = 42;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const shuffle = <T>(xs: readonly T[]) =>
      xs
        .map((x) => [rand(), x] as const)
        .sort((p, q) => p[0] - q[0])
        .map(([, x]) => x);
    for (let i = 0; i < 50; i++)
      expect(
        new DefaultRoutingStrategy().route({
          address,
          warehouses: shuffle(warehouses),
          availability: shuffle(availability),
          lines: shuffle(lines),
        }),
      ).toEqual(first);
    // and it covers every unit asked for
    const units = (skuId: string) =>
      first.lines.filter((l) => l.skuId === skuId).reduce((n, l) => n + l.quantity, 0);
    expect(['a', 'b', 'c', 'd'].map(units)).toEqual([4, 2, 2, 2]);
  });
});
