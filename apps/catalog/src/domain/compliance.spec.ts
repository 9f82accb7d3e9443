import {
  bannedWordsIn,
  brandBlacklisted,
  checkContent,
  checkPublishable,
  checkSubmittable,
  complianceRules,
  decideReview,
  invalidatedByEdit,
  newReview,
  normaliseTerm,
  qualityReportRef,
} from './compliance';
import { inheritRegulated, markRegulated, newCategory, planMove } from './category';
import { createProduct, updateProduct } from './product';

const now = new Date('2026-11-25T10:00:00Z');
const rules = complianceRules({
  bannedWords: ['最好', 'Miracle', '  NO.1 '],
  blacklistedBrands: ['ＡＣＭＥ Foods'],
});
const review = () =>
  newReview({
    id: 'r1',
    productId: 'p1',
    productVersion: 3,
    qualityReportRef: 'doc:QR-2026-001',
    submittedBy: 'merchant-1',
    now,
  });

describe('compliance', () => {
  it('normalises case, width and spaces (NFKC + lower case)', () => {
    expect(normaliseTerm('  ＭＩＲＡＣＬＥ\u3000Cure ')).toBe('miracle cure');
    expect(rules).toEqual({
      bannedWords: ['miracle', 'no.1', '最好'],
      blacklistedBrands: ['acme foods'],
    });
  });

  it('finds banned words anywhere, whatever their case or width, and names them', () => {
    expect(bannedWordsIn(['全网最好的奶粉', 'a ｍｉｒａｃｌｅ formula'], rules)).toEqual([
      'miracle',
      '最好',
    ]);
    expect(bannedWordsIn(['plain milk powder'], rules)).toEqual([]);
    const refused = () =>
      checkContent(
        {
          title: 'Formula',
          description: 'ok',
          brand: 'Emporia',
          skuAttributes: [{ note: 'No.1 pick' }],
        },
        rules,
      );
    expect(refused).toThrow(
      expect.objectContaining({
        code: 'BANNED_WORDS',
        kind: 'INVALID_ARGUMENT',
        message: 'banned words: no.1',
      }),
    );
  });

  it('refuses a blacklisted brand case- and width-insensitively', () => {
    expect(brandBlacklisted('acme  FOODS', rules)).toBe(true);
    expect(brandBlacklisted('Acme', rules)).toBe(false);
    expect(() =>
      checkContent({ title: 't', description: '', brand: 'ACME Foods', skuAttributes: [] }, rules),
    ).toThrow(expect.objectContaining({ code: 'BRAND_BLACKLISTED' }));
  });

  it('rules: 1..50 characters, no duplicates once normalised', () => {
    for (const input of [
      { bannedWords: [''], blacklistedBrands: [] },
      { bannedWords: ['x'.repeat(51)], blacklistedBrands: [] },
      { bannedWords: [], blacklistedBrands: ['Acme', 'ＡＣＭＥ'] },
    ])
      expect(() => complianceRules(input)).toThrow(
        expect.objectContaining({ code: 'COMPLIANCE_RULES_INVALID' }),
      );
  });

  it('a quality report is an https URL to a public host or doc:<id>', () => {
    expect(qualityReportRef('https://reports.example.com/qr/1.pdf')).toBe(
      'https://reports.example.com/qr/1.pdf',
    );
    expect(qualityReportRef(' doc:QR-1 ')).toBe('doc:QR-1');
    for (const bad of [
      '',
      'http://example.com/r.pdf',
      'https://127.0.0.1/r',
      'doc:',
      'file:///etc/passwd',
    ])
      expect(() => qualityReportRef(bad)).toThrow(
        expect.objectContaining({ code: 'QUALITY_REPORT_REQUIRED' }),
      );
  });

  it('submits only in a regulated category, and not while pending or approved', () => {
    expect(() => checkSubmittable('p1', false, 'REQUIRED')).toThrow(
      expect.objectContaining({ code: 'NOT_REGULATED', kind: 'FAILED_PRECONDITION' }),
    );
    expect(() => checkSubmittable('p1', true, 'PENDING')).toThrow(
      expect.objectContaining({ code: 'REVIEW_ALREADY_PENDING' }),
    );
    expect(() => checkSubmittable('p1', true, 'REJECTED')).not.toThrow();
  });

  it('decides once, not by the submitter; a rejection needs a reason', () => {
    expect(() =>
      decideReview(review(), { operatorId: 'merchant-1', approve: true, reason: '' }, now),
    ).toThrow(expect.objectContaining({ code: 'REVIEW_SELF_DECISION', kind: 'PERMISSION_DENIED' }));
    expect(() =>
      decideReview(review(), { operatorId: 'op-1', approve: false, reason: ' ' }, now),
    ).toThrow(expect.objectContaining({ code: 'REASON_REQUIRED' }));
    const approved = decideReview(review(), { operatorId: 'op-1', approve: true, reason: '' }, now);
    expect(approved).toMatchObject({ status: 'APPROVED', decidedBy: 'op-1', decidedAt: now });
    expect(() =>
      decideReview(approved, { operatorId: 'op-2', approve: false, reason: 'no' }, now),
    ).toThrow(
      expect.objectContaining({ code: 'REVIEW_ALREADY_DECIDED', kind: 'FAILED_PRECONDITION' }),
    );
  });

  it('the publish guard: a regulated product needs APPROVED', () => {
    expect(() => checkPublishable({ id: 'p1', compliance: 'PENDING' }, true)).toThrow(
      expect.objectContaining({ code: 'COMPLIANCE_REVIEW_REQUIRED', kind: 'FAILED_PRECONDITION' }),
    );
    expect(() => checkPublishable({ id: 'p1', compliance: 'APPROVED' }, true)).not.toThrow();
    expect(() => checkPublishable({ id: 'p1', compliance: 'REQUIRED' }, false)).not.toThrow();
  });

  it('an edit of title, description, brand or category takes an approval back to REQUIRED; stock or price does not', () => {
    expect(invalidatedByEdit('APPROVED', ['skus'])).toBe(false);
    expect(invalidatedByEdit('REJECTED', ['title'])).toBe(false);
    const p = {
      ...createProduct(
        {
          title: 'Milk',
          categoryId: 'c1',
          status: 'DRAFT',
          skus: [{ code: 'M-1', price: { amountMinor: 1, currency: 'CNY' } }],
        },
        { id: 'p1', newSkuId: () => 's1' },
        now,
      ),
      compliance: 'APPROVED' as const,
    };
    expect(updateProduct(p, { brand: 'Other' }, () => 'x', now)).toMatchObject({
      product: { compliance: 'REQUIRED' },
      changed: ['brand', 'compliance_status'],
    });
    expect(updateProduct(p, { status: 'ACTIVE' }, () => 'x', now).product).toMatchObject({
      compliance: 'APPROVED',
      firstPublishedAt: now,
    });
  });

  it('regulated is inherited down the tree: marking, unmarking and moving recompute it', () => {
    const root = newCategory({ id: 'a', name: 'Food', slug: 'food', parent: null, now });
    const child = newCategory({ id: 'b', name: 'Milk', slug: 'milk', parent: root, now });
    const leaf = newCategory({
      id: 'c',
      name: 'Infant',
      slug: 'infant',
      parent: child,
      now,
      regulated: true,
    });
    expect([root.regulated, child.regulated, leaf.regulated]).toEqual([false, false, true]);
    const marked = markRegulated(root, true, null, [child, leaf], now);
    // the root and the child flip; the leaf was already regulated by its own mark
    expect(marked.map((c) => [c.id, c.regulatedMarked, c.regulated])).toEqual([
      ['a', true, true],
      ['b', false, true],
    ]);
    expect(markRegulated(root, false, null, [child, leaf], now)).toEqual([]);
    const other = newCategory({
      id: 'd',
      name: 'Baby',
      slug: 'baby',
      parent: null,
      now,
      regulated: true,
    });
    const moved = planMove(child, other, [leaf], now);
    expect(moved.map((c) => [c.id, c.regulated])).toEqual([
      ['b', true],
      ['c', true],
    ]);
    expect(inheritRegulated([leaf], false)[0].regulated).toBe(true);
  });
});
