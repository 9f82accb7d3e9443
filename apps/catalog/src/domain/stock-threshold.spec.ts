import {
  evaluateThreshold,
  isLow,
  setThreshold,
  type StockThreshold,
  validateThresholdInput,
} from './stock-threshold';

const t0 = new Date('2026-12-01T08:00:00Z');
const t1 = new Date('2026-12-01T09:00:00Z');
const key = { skuId: 'sku-1', warehouseCode: 'SH' };
const threshold = (over: Partial<StockThreshold> = {}): StockThreshold => ({
  ...key,
  threshold: 5,
  low: false,
  lowSince: null,
  updatedAt: t0,
  ...over,
});

describe('low-stock thresholds', () => {
  it('is low at or under the threshold, never with no threshold', () => {
    expect(isLow(5, 5)).toBe(true);
    expect(isLow(0, 5)).toBe(true);
    expect(isLow(-1, 5)).toBe(true);
    expect(isLow(6, 5)).toBe(false);
    expect(isLow(0, 0)).toBe(false);
  });

  it('a sequence of movements crosses once down and once up, whatever happens in between', () => {
    let t = threshold();
    const crossings: string[] = [];
    // available: 10, 7, 5 (crosses), 3, 0, 4, 5, 6 (recovers), 9, 2 (crosses again)
    for (const [i, available] of [10, 7, 5, 3, 0, 4, 5, 6, 9, 2].entries()) {
      const at = new Date(t0.getTime() + i * 1000);
      const r = evaluateThreshold(t, available, at);
      if (r.crossing) crossings.push(`${r.crossing}@${available}`);
      t = r.threshold;
    }
    expect(crossings).toEqual(['LOW@5', 'RECOVERED@6', 'LOW@2']);
    expect(t).toMatchObject({ low: true, lowSince: new Date(t0.getTime() + 9000) });
  });

  it('staying low changes nothing: the same threshold object, its low_since kept', () => {
    const low = threshold({ low: true, lowSince: t0 });
    const r = evaluateThreshold(low, 1, t1);
    expect(r.crossing).toBeNull();
    expect(r.threshold).toBe(low);
  });

  it('recovering clears low_since', () => {
    const r = evaluateThreshold(threshold({ low: true, lowSince: t0 }), 6, t1);
    expect(r).toEqual({
      crossing: 'RECOVERED',
      threshold: threshold({ low: false, lowSince: null, updatedAt: t1 }),
    });
  });

  describe('setting a threshold evaluates it', () => {
    it('a new threshold above the stock is low at once', () => {
      expect(setThreshold(null, key, 5, 3, t1)).toEqual({
        crossing: 'LOW',
        threshold: threshold({ low: true, lowSince: t1, updatedAt: t1 }),
      });
    });

    it('a new threshold under the stock is not low and emits nothing', () => {
      expect(setThreshold(null, key, 5, 8, t1)).toEqual({
        crossing: null,
        threshold: threshold({ updatedAt: t1 }),
      });
    });

    it('lowering a low threshold under the stock recovers; raising a low one keeps low_since', () => {
      const low = threshold({ low: true, lowSince: t0 });
      expect(setThreshold(low, key, 2, 4, t1)).toMatchObject({
        crossing: 'RECOVERED',
        threshold: { threshold: 2, low: false, lowSince: null },
      });
      expect(setThreshold(low, key, 9, 4, t1)).toMatchObject({
        crossing: null,
        threshold: { threshold: 9, low: true, lowSince: t0, updatedAt: t1 },
      });
    });

    it('removing (0) a low threshold recovers; removing one that is not low is quiet', () => {
      expect(setThreshold(threshold({ low: true, lowSince: t0 }), key, 0, 1, t1)).toEqual({
        threshold: null,
        crossing: 'RECOVERED',
      });
      expect(setThreshold(threshold(), key, 0, 9, t1)).toEqual({ threshold: null, crossing: null });
      expect(setThreshold(null, key, 0, 9, t1)).toEqual({ threshold: null, crossing: null });
    });
  });

  it.each([-1, 1.5, Number.NaN, 1_000_000_001])('refuses threshold %p', (value) => {
    expect(() => validateThresholdInput({ warehouseCode: 'SH', threshold: value })).toThrow(
      expect.objectContaining({ code: 'STOCK_THRESHOLD_INVALID', kind: 'INVALID_ARGUMENT' }),
    );
  });

  it('normalises the warehouse code and refuses a malformed one', () => {
    expect(validateThresholdInput({ warehouseCode: 'sh-1', threshold: 0 })).toEqual({
      warehouseCode: 'SH-1',
      threshold: 0,
    });
    expect(() => validateThresholdInput({ warehouseCode: 'a b', threshold: 3 })).toThrow(
      expect.objectContaining({ code: 'WAREHOUSE_CODE_INVALID' }),
    );
  });
});
