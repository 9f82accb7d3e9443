import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-body';

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('jsonDepthExceeds', () => {
  it('allows MAX_JSON_DEPTH levels and refuses one more', () => {
    expect(jsonDepthExceeds(Buffer.from(deep(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from(deep(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from(deep(100_000)), MAX_JSON_DEPTH)).toBe(true);
  });

  it('counts objects and arrays alike, siblings not', () => {
    expect(jsonDepthExceeds(Buffer.from('{"a":{"b":[{"c":1}]}}'), 3)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from('{"a":{"b":[{"c":1}]}}'), 4)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from(`[${Array(1000).fill('[1]').join(',')}]`), 2)).toBe(false);
  });

  it('skips brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[[\\" ok', c: '\\' });
    expect(jsonDepthExceeds(Buffer.from(text), 1)).toBe(false);
    expect(jsonDepthExceeds(Buffer.from('{"a":"\\\\"}'), 1)).toBe(false);
  });

  it('ignores multi-byte UTF-8 text', () => {
    expect(jsonDepthExceeds(Buffer.from(JSON.stringify({ t: '手机壳【黑】📱' })), 1)).toBe(false);
  });
});
