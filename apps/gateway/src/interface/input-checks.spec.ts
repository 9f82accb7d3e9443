import { findHeaderProblems, findInputProblems, textProblem } from './input-checks';

describe('input checks', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['BEL', '\u0007'],
    ['ESC', 'x\u001b[31m'],
    ['DEL', 'x\u007f'],
    ['NEL (C1)', 'x\u0085'],
    ['CSI (C1)', 'x\u009b'],
    ['RLO', 'invoice\u202efdp.exe'],
    ['LRE', '\u202a'],
    ['FSI', '\u2068x'],
    ['PDI', 'x\u2069'],
    ['a lone high surrogate', 'x\ud800'],
    ['a lone low surrogate', '\udc00x'],
    ['swapped surrogates', '\udc00\ud800'],
  ])('refuses %s everywhere', (_label, value) => {
    expect(textProblem(value, false)).toBeDefined();
    expect(textProblem(value, true)).toBeDefined();
  });

  it.each([
    ['plain text', 'Aramid phone case'],
    ['CJK', '手机壳 黑色'],
    ['Arabic and Hebrew without explicit controls', 'مرحبا שלום'],
    ['an emoji (a surrogate pair)', 'case 📱'],
    ['a zero-width joiner sequence', '👩‍💻'],
  ])('takes %s', (_label, value) => {
    expect(textProblem(value, false)).toBeUndefined();
  });

  it('keeps TAB, LF and CR (and U+2028) for free text only', () => {
    for (const v of ['a\tb', 'a\nb', 'a\r\nb', 'a\u2028b']) {
      expect(textProblem(v, true)).toBeUndefined();
      expect(textProblem(v, false)).toMatch(/line break or tab/);
    }
  });

  it('names fields by path, keys included, and free text by its key', () => {
    const body = {
      title: 'ok',
      description: 'line 1\nline 2',
      address: { city: 'Shang\u0000hai' },
      skus: [{ code: 'A' }, { code: 'B', attributes: { 'c\u0000': 'x', color: 'bl\u202eack' } }],
      notes: ['a', 'b\u0001'],
      note: 'free\ttext',
    };
    expect(findInputProblems(body).map((e) => e.field)).toEqual([
      'address.city',
      'skus.1.attributes."c\\u0000"',
      'skus.1.attributes.color',
      'notes.1',
    ]);
  });

  it('checks currencies against the configured list, by key', () => {
    const currencies = new Set(['CNY', 'HKD']);
    const errors = findInputProblems(
      { price: { amountMinor: 1, currency: 'BTC' }, tiers: [{ off: { currency: 'HKD' } }] },
      { currencies },
    );
    expect(errors).toEqual([
      {
        field: 'price.currency',
        message: 'price.currency must be one of the currencies this platform takes: CNY, HKD',
      },
    ]);
  });

  it('treats query strings and path parameters as one line, and stops at 20 errors', () => {
    expect(findInputProblems({ description: 'a\nb' }, { singleLine: true })).toHaveLength(1);
    const many = { entries: Array.from({ length: 500 }, () => ({ value: '\u0000' })) };
    expect(findInputProblems(many)).toHaveLength(20);
  });

  it('wants printable ASCII in the text headers it passes on', () => {
    expect(findHeaderProblems({ 'x-device-id': 'phone-1', 'idempotency-key': 'k-1' })).toEqual([]);
    expect(
      findHeaderProblems({ 'x-device-id': 'ph\u0085', 'x-guest-token': 't\tk' }).map(
        (e) => e.field,
      ),
    ).toEqual(['X-Device-Id', 'X-Guest-Token']);
  });
});
