import {
  allocate,
  effectiveStatus,
  planCommit,
  planExpiry,
  planRelease,
  sameRequest,
  validateReservationRequest,
  type Reservation,
} from './reservation';

const A = '0190a000-0000-7000-8000-00000000000a';
const B = '0190a000-0000-7000-8000-00000000000b';
const ID = '0190a000-0000-7000-8000-0000000000ff';

describe('reservation requests', () => {
  it('merge repeated SKUs, default the TTL and validate everything', () => {
    expect(
      validateReservationRequest({
        id: ID,
        lines: [
          { skuId: A, quantity: 1, warehouseCode: '' },
          { skuId: A, quantity: 2, warehouseCode: '' },
        ],
        ttlSeconds: 0,
      }),
    ).toEqual({ id: ID, lines: [{ skuId: A, quantity: 3, warehouseCode: '' }], ttlSeconds: 900 });
    for (const [input, code] of [
      [
        { id: 'x', lines: [{ skuId: A, quantity: 1, warehouseCode: '' }], ttlSeconds: 0 },
        'RESERVATION_ID_INVALID',
      ],
      [{ id: ID, lines: [], ttlSeconds: 0 }, 'RESERVATION_LINES_INVALID'],
      [
        { id: ID, lines: [{ skuId: A, quantity: 1.5, warehouseCode: '' }], ttlSeconds: 0 },
        'QUANTITY_INVALID',
      ],
      [
        {
          id: ID,
          lines: [{ skuId: A, quantity: 1, warehouseCode: '' }],
          ttlSeconds: 7 * 86_400 + 1,
        },
        'RESERVATION_TTL_INVALID',
      ],
    ] as const)
      expect(() => validateReservationRequest(input as never)).toThrow(
        expect.objectContaining({ code }),
      );
  });
});

describe('allocation', () => {
  const stock = [
    { skuId: A, warehouseCode: 'BJ', onHand: 3, reserved: 1 },
    { skuId: A, warehouseCode: 'SH', onHand: 5, reserved: 0 },
    { skuId: B, warehouseCode: 'SH', onHand: 1, reserved: 0 },
  ];

  it('takes from the warehouse with the most free first, splitting only when needed', () => {
    expect(allocate([{ skuId: A, quantity: 4, warehouseCode: '' }], stock)).toEqual([
      { skuId: A, warehouseCode: 'SH', quantity: 4 },
    ]);
    expect(allocate([{ skuId: A, quantity: 7, warehouseCode: '' }], stock)).toEqual([
      { skuId: A, warehouseCode: 'SH', quantity: 5 },
      { skuId: A, warehouseCode: 'BJ', quantity: 2 },
    ]);
    expect(allocate([{ skuId: A, quantity: 2, warehouseCode: 'BJ' }], stock)).toEqual([
      { skuId: A, warehouseCode: 'BJ', quantity: 2 },
    ]);
  });

  it('allocates all lines or throws STOCK_INSUFFICIENT naming the short SKU', () => {
    expect(() =>
      allocate(
        [
          { skuId: A, quantity: 1, warehouseCode: '' },
          { skuId: B, quantity: 2, warehouseCode: '' },
        ],
        stock,
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'STOCK_INSUFFICIENT',
        details: { skuId: B, requested: 2, available: 1 },
      }),
    );
    expect(() => allocate([{ skuId: A, quantity: 3, warehouseCode: 'BJ' }], stock)).toThrow(
      expect.objectContaining({ code: 'STOCK_INSUFFICIENT' }),
    );
  });

  it('lines naming a warehouse first, then "any" lines; one reserved line per SKU and warehouse', () => {
    // SH holds 5 free, BJ 2: the SH line's 3 first, then the "any" line's 3 from what is left
    // (BJ 2 and SH 2 tie: BJ by name, then SH), SH's units one line
    expect(
      allocate(
        [
          { skuId: A, quantity: 3, warehouseCode: '' },
          { skuId: A, quantity: 3, warehouseCode: 'SH' },
        ],
        stock,
      ),
    ).toEqual([
      { skuId: A, warehouseCode: 'SH', quantity: 4 },
      { skuId: A, warehouseCode: 'BJ', quantity: 2 },
    ]);
    // an "any" line served from the named warehouse alone: one line of the sum
    expect(
      allocate(
        [
          { skuId: A, quantity: 1, warehouseCode: '' },
          { skuId: A, quantity: 1, warehouseCode: 'SH' },
        ],
        stock,
      ),
    ).toEqual([{ skuId: A, warehouseCode: 'SH', quantity: 2 }]);
  });
});

describe('reservation state', () => {
  const r: Reservation = {
    id: ID,
    status: 'ACTIVE',
    lines: [
      { skuId: A, warehouseCode: 'SH', quantity: 5 },
      { skuId: A, warehouseCode: 'BJ', quantity: 2 },
    ],
    expiresAt: new Date(1000),
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
  it('recognises the same request whatever the warehouse split', () => {
    expect(sameRequest(r, [{ skuId: A, quantity: 7, warehouseCode: '' }])).toBe(true);
    expect(sameRequest(r, [{ skuId: A, quantity: 6, warehouseCode: '' }])).toBe(false);
    expect(sameRequest(r, [{ skuId: B, quantity: 7, warehouseCode: '' }])).toBe(false);
    expect(
      sameRequest(r, [
        { skuId: A, quantity: 7, warehouseCode: '' },
        { skuId: B, quantity: 1, warehouseCode: '' },
      ]),
    ).toBe(false);
  });
  it('but a line that named a warehouse must be held there', () => {
    expect(
      sameRequest(r, [
        { skuId: A, quantity: 2, warehouseCode: 'BJ' },
        { skuId: A, quantity: 5, warehouseCode: '' },
      ]),
    ).toBe(true);
    expect(sameRequest(r, [{ skuId: A, quantity: 7, warehouseCode: 'SH' }])).toBe(false);
  });
  it('counts an active reservation past its time as expired', () => {
    expect(effectiveStatus(r, new Date(999))).toBe('ACTIVE');
    expect(effectiveStatus(r, new Date(1000))).toBe('EXPIRED');
    expect(effectiveStatus({ ...r, status: 'COMMITTED' }, new Date(5000))).toBe('COMMITTED');
  });
});

describe('reservation transitions', () => {
  const base: Reservation = {
    id: ID,
    status: 'ACTIVE',
    lines: [{ skuId: A, warehouseCode: 'SH', quantity: 1 }],
    expiresAt: new Date(1000),
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
  const at = (status: Reservation['status']) => ({ ...base, status });
  const before = new Date(999);
  const after = new Date(1000);

  it('commits an active reservation once, and refuses one that is not active', () => {
    expect(planCommit(base, before)).toEqual({ kind: 'commit' });
    expect(planCommit(at('COMMITTED'), after)).toEqual({ kind: 'none' });
    for (const s of ['RELEASED', 'EXPIRED'] as const)
      expect(() => planCommit(at(s), before)).toThrow(
        expect.objectContaining({
          kind: 'FAILED_PRECONDITION',
          code: 'RESERVATION_NOT_ACTIVE',
          details: { reservationId: ID, status: s },
        }),
      );
  });

  it('expires an active reservation past its time on commit, then refuses the commit', () => {
    const step = planCommit(base, after);
    expect(step).toMatchObject({ kind: 'free', status: 'EXPIRED' });
    expect(step.kind === 'free' && step.thenFail).toMatchObject({
      code: 'RESERVATION_NOT_ACTIVE',
      details: { status: 'EXPIRED' },
    });
  });

  it('releases an active reservation once; released and expired ones stay; committed ones refuse', () => {
    expect(planRelease(base, before)).toEqual({ kind: 'free', status: 'RELEASED' });
    expect(planRelease(base, after)).toEqual({ kind: 'free', status: 'EXPIRED' });
    expect(planRelease(at('RELEASED'), before)).toEqual({ kind: 'none' });
    expect(planRelease(at('EXPIRED'), before)).toEqual({ kind: 'none' });
    expect(() => planRelease(at('COMMITTED'), before)).toThrow(
      expect.objectContaining({ kind: 'FAILED_PRECONDITION', code: 'RESERVATION_COMMITTED' }),
    );
  });

  it('the sweep expires only active reservations past their time', () => {
    expect(planExpiry(base, after)).toEqual({ kind: 'free', status: 'EXPIRED' });
    expect(planExpiry(base, before)).toEqual({ kind: 'none' });
    for (const s of ['COMMITTED', 'RELEASED', 'EXPIRED'] as const)
      expect(planExpiry(at(s), after)).toEqual({ kind: 'none' });
  });
});
