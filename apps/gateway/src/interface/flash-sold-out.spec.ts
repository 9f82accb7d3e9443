import { FlashSoldOutMarks } from './flash-sold-out';

const SALE = '3f6c1d2e-0000-4000-8000-000000000001';
const OTHER = '3f6c1d2e-0000-4000-8000-000000000002';

function marks(boundMs = 1000, max?: number) {
  let t = 10_000;
  const m = new FlashSoldOutMarks(boundMs, () => t, max);
  return { m, advance: (ms: number) => (t += ms), at: () => t };
}

describe('FlashSoldOutMarks', () => {
  it('answers sold out from memory until the bound, counted from when the attempt was sent', () => {
    const { m, advance } = marks(1000);
    const sent = m.sending();
    advance(300); // marketing took 300 ms to answer
    m.learn(SALE, 'a', 1, 'SOLD_OUT', sent);
    expect(m.known(SALE, 'b', 1)).toBe('SOLD_OUT');
    expect(m.known(OTHER, 'b', 1)).toBeUndefined();
    advance(699);
    expect(m.known(SALE, 'b', 1)).toBe('SOLD_OUT');
    advance(1);
    expect(m.known(SALE, 'b', 1)).toBeUndefined();
  });

  it('ignores an answer that arrives after its bound, and wins or other losses', () => {
    const { m, advance } = marks(1000);
    const sent = m.sending();
    advance(1000);
    m.learn(SALE, 'a', 1, 'SOLD_OUT', sent);
    m.learn(SALE, 'a', 1, 'WON', m.sending());
    m.learn(SALE, 'a', 1, 'ENDED', m.sending());
    m.learn(SALE, 'a', 1, 'NOT_STARTED', m.sending());
    expect(m.known(SALE, 'a', 1)).toBeUndefined();
  });

  it('marks sold out only for quantities at least the one that lost (fewer units may remain)', () => {
    const { m } = marks();
    m.learn(SALE, 'a', 3, 'SOLD_OUT', m.sending());
    expect(m.known(SALE, 'b', 2)).toBeUndefined();
    expect(m.known(SALE, 'b', 3)).toBe('SOLD_OUT');
    expect(m.known(SALE, 'b', 5)).toBe('SOLD_OUT');
    m.learn(SALE, 'a', 1, 'SOLD_OUT', m.sending());
    expect(m.known(SALE, 'b', 1)).toBe('SOLD_OUT');
  });

  it('never stretches an older answer past its bound when answers merge', () => {
    const { m, advance } = marks(1000);
    m.learn(SALE, 'a', 1, 'SOLD_OUT', m.sending());
    advance(500);
    m.learn(SALE, 'a', 2, 'SOLD_OUT', m.sending()); // larger quantity: the older mark stays
    advance(500);
    expect(m.known(SALE, 'b', 1)).toBeUndefined();
    expect(m.known(SALE, 'b', 2)).toBeUndefined(); // dropped, not extended
  });

  it('marks a buyer who reached the limit, for that buyer and sale only', () => {
    const { m, advance } = marks(1000);
    m.learn(SALE, 'a', 1, 'LIMIT_REACHED', m.sending());
    expect(m.known(SALE, 'a', 1)).toBe('LIMIT_REACHED');
    expect(m.known(SALE, 'b', 1)).toBeUndefined();
    expect(m.known(OTHER, 'a', 1)).toBeUndefined();
    advance(1000);
    expect(m.known(SALE, 'a', 1)).toBeUndefined();
  });

  it('answers the limit before sold out, as the decision script does', () => {
    const { m } = marks();
    m.learn(SALE, 'a', 1, 'LIMIT_REACHED', m.sending());
    m.learn(SALE, 'b', 1, 'SOLD_OUT', m.sending());
    expect(m.known(SALE, 'a', 1)).toBe('LIMIT_REACHED');
    expect(m.known(SALE, 'c', 1)).toBe('SOLD_OUT');
  });

  it('drops the sale and the buyer marks when units come back', () => {
    const { m } = marks();
    m.learn(SALE, 'a', 1, 'LIMIT_REACHED', m.sending());
    m.learn(SALE, 'b', 1, 'LIMIT_REACHED', m.sending());
    m.learn(SALE, 'c', 1, 'SOLD_OUT', m.sending());
    m.restocked(SALE, 'a');
    expect(m.known(SALE, 'a', 1)).toBeUndefined();
    expect(m.known(SALE, 'b', 1)).toBe('LIMIT_REACHED');
    expect(m.known(SALE, 'c', 1)).toBeUndefined();
    m.clear();
    expect(m.known(SALE, 'b', 1)).toBeUndefined();
  });

  it('marks a buyer whose win used what the limit allows, from that win on', () => {
    const { m, advance } = marks(1000);
    const sent = m.sending();
    advance(200);
    m.learn(SALE, 'a', 2, 'WON', sent, 0); // nothing left: any attempt is over the limit
    m.learn(SALE, 'b', 1, 'WON', sent, 1); // one unit left: two or more are over it
    m.learn(SALE, 'c', 1, 'WON', sent, 9); // ten or more (more than an attempt asks: no mark)
    expect(m.known(SALE, 'a', 1)).toBe('LIMIT_REACHED');
    expect(m.known(SALE, 'b', 1)).toBeUndefined();
    expect(m.known(SALE, 'b', 2)).toBe('LIMIT_REACHED');
    expect(m.known(SALE, 'c', 9)).toBeUndefined();
    expect(m.known(SALE, 'c', 10)).toBe('LIMIT_REACHED');
    expect(m.known(OTHER, 'a', 1)).toBeUndefined();
    // a later win of the last unit narrows the mark; units given back drop it at once
    m.learn(SALE, 'b', 1, 'WON', m.sending(), 0);
    expect(m.known(SALE, 'b', 1)).toBe('LIMIT_REACHED');
    m.restocked(SALE, 'a');
    expect(m.known(SALE, 'a', 1)).toBeUndefined();
    // the bound counts from when the winning attempt was sent
    advance(799);
    expect(m.known(SALE, 'b', 2)).toBe('LIMIT_REACHED');
    expect(m.known(SALE, 'c', 10)).toBe('LIMIT_REACHED');
    advance(1);
    expect(m.known(SALE, 'c', 10)).toBeUndefined();
    // a win whose answer came after its bound, or without the allowance (an older marketing)
    const late = m.sending();
    advance(1000);
    m.learn(SALE, 'd', 1, 'WON', late, 0);
    m.learn(SALE, 'e', 1, 'WON', m.sending());
    expect(m.known(SALE, 'd', 1)).toBeUndefined();
    expect(m.known(SALE, 'e', 1)).toBeUndefined();
  });

  it('marks a LIMIT_REACHED at what the buyer may still win when marketing says it', () => {
    const { m } = marks();
    m.learn(SALE, 'a', 3, 'LIMIT_REACHED', m.sending(), 1); // 1 left: 2 or more refused
    expect(m.known(SALE, 'a', 1)).toBeUndefined();
    expect(m.known(SALE, 'a', 2)).toBe('LIMIT_REACHED');
    m.learn(SALE, 'b', 3, 'LIMIT_REACHED', m.sending()); // unknown: the quantity refused
    expect(m.known(SALE, 'b', 2)).toBeUndefined();
    expect(m.known(SALE, 'b', 3)).toBe('LIMIT_REACHED');
    m.learn(SALE, 'c', 1, 'LIMIT_REACHED', m.sending(), -2); // the limit lowered below holdings
    expect(m.known(SALE, 'c', 1)).toBe('LIMIT_REACHED');
  });

  it('keeps at most the cap of limit marks, dropping expired ones first', () => {
    const { m, advance } = marks(1000, 2);
    m.learn(SALE, 'a', 1, 'LIMIT_REACHED', m.sending());
    m.learn(SALE, 'b', 1, 'LIMIT_REACHED', m.sending());
    m.learn(SALE, 'c', 1, 'LIMIT_REACHED', m.sending());
    expect(m.known(SALE, 'c', 1)).toBeUndefined(); // full: marketing answers
    advance(1000);
    m.learn(SALE, 'c', 1, 'LIMIT_REACHED', m.sending());
    expect(m.known(SALE, 'c', 1)).toBe('LIMIT_REACHED');
  });

  it('holds a limit mark for its own bound (a sold-out mark for the shorter one)', () => {
    let t = 0;
    const m = new FlashSoldOutMarks(1000, () => t, undefined, 10_000);
    m.learn(SALE, 'a', 1, 'WON', m.sending(), 0);
    m.learn(SALE, 'b', 1, 'SOLD_OUT', m.sending());
    t = 1000;
    expect(m.known(SALE, 'c', 1)).toBeUndefined();
    expect(m.known(SALE, 'a', 1)).toBe('LIMIT_REACHED');
    t = 9999;
    expect(m.known(SALE, 'a', 1)).toBe('LIMIT_REACHED');
    t = 10_000;
    expect(m.known(SALE, 'a', 1)).toBeUndefined();
    // a limit bound of 0: no limit marks, sold-out marks still kept
    const off = new FlashSoldOutMarks(1000, () => t, undefined, 0);
    off.learn(SALE, 'a', 1, 'LIMIT_REACHED', off.sending(), 0);
    off.learn(SALE, 'b', 1, 'SOLD_OUT', off.sending());
    expect(off.known(SALE, 'a', 1)).toBe('SOLD_OUT');
    expect(off.known(OTHER, 'a', 1)).toBeUndefined();
  });

  it('keeps no answer to an attempt sent before units came back (it may predate them)', () => {
    const { m, advance } = marks(1000);
    const before = m.sending();
    advance(10);
    m.restocked(SALE, 'a'); // announced while the attempts were with marketing
    advance(10);
    m.learn(SALE, 'a', 1, 'WON', before, 0);
    m.learn(SALE, 'a', 1, 'LIMIT_REACHED', before, 0);
    m.learn(SALE, 'b', 1, 'SOLD_OUT', before);
    m.learn(SALE, 'c', 1, 'LIMIT_REACHED', before, 0); // not c's units: kept
    expect(m.known(SALE, 'a', 1)).toBeUndefined();
    expect(m.known(SALE, 'b', 1)).toBeUndefined();
    expect(m.known(SALE, 'c', 1)).toBe('LIMIT_REACHED');
    // attempts sent after the announcement are kept
    const after = m.sending();
    m.learn(SALE, 'a', 1, 'WON', after, 0);
    m.learn(SALE, 'b', 1, 'SOLD_OUT', after);
    expect(m.known(SALE, 'a', 1)).toBe('LIMIT_REACHED');
    expect(m.known(SALE, 'b', 1)).toBe('SOLD_OUT');
  });

  it('is off with a bound of 0', () => {
    const { m } = marks(0);
    m.learn(SALE, 'a', 1, 'SOLD_OUT', m.sending());
    expect(m.known(SALE, 'a', 1)).toBeUndefined();
  });
});
