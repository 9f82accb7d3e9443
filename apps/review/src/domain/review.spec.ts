import { validateBannedWords, findBannedWords } from './banned-words';
import { deliveredLines, orderAddressFingerprint, reviewableLine } from './delivered-line';
import { validatePhotoUrls } from './photo-url';
import { averageOf, summarise } from './rating-summary';
import {
  checkFollowUp,
  displayName,
  moderate,
  validateContent,
  validateDecision,
  validateNote,
  validateReply,
  type Review,
} from './review';
import { aDeliveredOrder } from '../testing/builders';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'NO_ERROR';
};

const review = (over: Partial<Review> = {}): Review => ({
  id: 'r1',
  productId: 'p1',
  skuId: 's1',
  orderId: 'o1',
  accountId: 'a1',
  authorName: '张**',
  anonymous: false,
  rating: 5,
  text: 'good',
  photoUrls: [],
  status: 'HELD',
  reasons: ['BANNED_WORD:x'],
  helpfulVotes: 0,
  reply: null,
  followsReviewId: null,
  addressFingerprint: '',
  deliveredAt: null,
  createdAt: new Date('2026-11-25T10:00:00Z'),
  moderatedAt: null,
  moderatedBy: null,
  ...over,
});

describe('review content', () => {
  it('takes ratings 1..5 only', () => {
    for (const rating of [0, 6, 2.5, -1])
      expect(code(() => validateContent({ rating, text: 'ok', photoUrls: [] }))).toBe(
        'RATING_INVALID',
      );
    expect(validateContent({ rating: 1, text: ' ok ', photoUrls: [] })).toEqual({
      rating: 1,
      text: 'ok',
      photoUrls: [],
    });
  });

  it('counts text in code points (2000), refuses blank text without photos', () => {
    expect(
      validateContent({ rating: 4, text: '😀'.repeat(2000), photoUrls: [] }).text,
    ).toHaveLength(4000);
    expect(code(() => validateContent({ rating: 4, text: '好'.repeat(2001), photoUrls: [] }))).toBe(
      'TEXT_INVALID',
    );
    expect(code(() => validateContent({ rating: 4, text: '   ', photoUrls: [] }))).toBe(
      'TEXT_INVALID',
    );
    expect(
      validateContent({ rating: 4, text: '', photoUrls: ['https://img.example.cn/a.jpg'] }).text,
    ).toBe('');
  });

  it('checks photo URLs as the shared definitions say', () => {
    const ok = 'https://img.example.cn/p/1.jpg?w=100';
    expect(validatePhotoUrls([ok])).toEqual([ok]);
    for (const bad of [
      'http://img.example.cn/a.jpg',
      'https://user:pw@img.example.cn/a.jpg',
      'https://localhost/a.jpg',
      'https://127.0.0.1/a.jpg',
      'https://10.1.2.3/a.jpg',
      'https://192.168.0.1/a.jpg',
      'https://172.20.0.1/a.jpg',
      'https://169.254.169.254/latest',
      'https://[::1]/a.jpg',
      'https://[fd00::1]/a.jpg',
      `https://img.example.cn/${'a'.repeat(2040)}`,
      'not a url',
    ])
      expect([bad, code(() => validatePhotoUrls([bad]))]).toEqual([bad, 'PHOTO_URL_INVALID']);
    expect(code(() => validatePhotoUrls(Array(10).fill(ok)))).toBe('PHOTO_URL_INVALID');
    expect(validatePhotoUrls(Array(9).fill(ok))).toHaveLength(9);
    expect(validatePhotoUrls(['https://8.8.8.8/a.jpg'])).toHaveLength(1);
  });

  it('masks names, keeping the first character', () => {
    expect(displayName('张三丰', false)).toBe('张**');
    expect(displayName('John', false)).toBe('J***');
    expect(displayName('李', false)).toBe('李*');
    expect(displayName('😀ab', false)).toBe('😀**');
    expect(displayName('John', true, 'en-US')).toBe('Anonymous');
    expect(displayName('张三', true, 'zh-CN')).toBe('匿名用户');
    expect(displayName('张三', true)).toBe('匿名用户');
    expect(displayName('', false, 'en')).toBe('Anonymous');
  });
});

describe('moderation', () => {
  const at = new Date('2026-11-26T00:00:00Z');
  it('moves HELD to APPROVED or REJECTED, APPROVED to REJECTED, never back from REJECTED', () => {
    expect(moderate(review(), 'APPROVE', 'op', '', at)).toMatchObject({
      status: 'APPROVED',
      moderatedBy: 'op',
      moderatedAt: at,
    });
    expect(moderate(review(), 'REJECT', 'op', 'spam', at)).toMatchObject({
      status: 'REJECTED',
      reasons: ['BANNED_WORD:x', 'OPERATOR:spam'],
    });
    expect(moderate(review({ status: 'APPROVED' }), 'REJECT', 'op', '', at)?.status).toBe(
      'REJECTED',
    );
    expect(moderate(review({ status: 'APPROVED' }), 'APPROVE', 'op', '', at)).toBeNull();
    expect(moderate(review({ status: 'REJECTED' }), 'REJECT', 'op', '', at)).toBeNull();
    expect(code(() => moderate(review({ status: 'REJECTED' }), 'APPROVE', 'op', '', at))).toBe(
      'REVIEW_REJECTED',
    );
  });

  it('validates decisions, notes and replies', () => {
    expect(code(() => validateDecision('MAYBE'))).toBe('DECISION_INVALID');
    expect(validateDecision('REJECT')).toBe('REJECT');
    expect(code(() => validateNote('x'.repeat(501)))).toBe('NOTE_INVALID');
    expect(validateNote(' fine ')).toBe('fine');
    expect(code(() => validateReply(' '))).toBe('TEXT_INVALID');
    expect(code(() => validateReply('谢'.repeat(1001)))).toBe('TEXT_INVALID');
    expect(validateReply('谢谢'.repeat(500))).toHaveLength(1000);
  });

  it('lets the author follow up once the wait is over, not on rejected reviews or follow-ups', () => {
    const r = review({ status: 'APPROVED' });
    const later = (h: number) => new Date(r.createdAt.getTime() + h * 3_600_000);
    expect(code(() => checkFollowUp(r, 'a1', later(23.9), 24))).toBe('FOLLOW_UP_TOO_EARLY');
    expect(code(() => checkFollowUp(r, 'a1', later(24), 24))).toBe('NO_ERROR');
    expect(code(() => checkFollowUp(r, 'a2', later(48), 24))).toBe('REVIEW_NOT_FOUND');
    expect(code(() => checkFollowUp({ ...r, status: 'REJECTED' }, 'a1', later(48), 24))).toBe(
      'REVIEW_REJECTED',
    );
    expect(code(() => checkFollowUp({ ...r, status: 'HELD' }, 'a1', later(48), 24))).toBe(
      'NO_ERROR',
    );
    expect(code(() => checkFollowUp({ ...r, followsReviewId: 'r0' }, 'a1', later(48), 24))).toBe(
      'REVIEW_IS_FOLLOW_UP',
    );
  });
});

describe('banned words', () => {
  it('matches after NFKC and case folding, inside Chinese text without word boundaries', () => {
    const words = validateBannedWords([' 刷单 ', 'SPAM', 'ｆａｋｅ', 'spam']);
    expect(words).toEqual(['刷单', 'spam', 'fake']);
    expect(findBannedWords('这家店铺刷单很严重', words)).toEqual(['刷单']);
    expect(findBannedWords('Total SpAm and ＦＡＫＥ', words)).toEqual(['spam', 'fake']);
    expect(findBannedWords('挺好的', words)).toEqual([]);
  });

  it('refuses blank or overlong words', () => {
    expect(code(() => validateBannedWords(['ok', '  ']))).toBe('BANNED_WORDS_INVALID');
    expect(code(() => validateBannedWords(['x'.repeat(65)]))).toBe('BANNED_WORDS_INVALID');
  });
});

describe('rating summary', () => {
  it('counts approved ratings, photos and the distribution; the average to two decimals', () => {
    expect(
      summarise('p', [
        { rating: 5, photoCount: 2 },
        { rating: 4, photoCount: 0 },
        { rating: 4, photoCount: 1 },
      ]),
    ).toEqual({
      productId: 'p',
      reviewCount: 3,
      ratingSum: 13,
      average: 4.33,
      distribution: [0, 0, 0, 2, 1],
      withPhotoCount: 2,
    });
    expect(averageOf(0, 0)).toBe(0);
    expect(averageOf(29, 6)).toBe(4.83);
    expect(averageOf(5, 8)).toBe(0.63); // 0.625 rounds half up
    expect(averageOf(14, 3)).toBe(4.67);
  });
});

describe('the reviewed line', () => {
  const now = new Date('2026-11-25T10:00:00Z');
  const skuId = 'sku-1';
  const order = aDeliveredOrder('a1', {
    skus: [{ skuId, productId: 'p1' }],
    deliveredAt: new Date('2026-11-20T00:00:00Z'),
  });

  it('must be a delivered line of the order, within the window', () => {
    expect(reviewableLine(order, skuId, now, 180)).toMatchObject({ productId: 'p1' });
    expect(code(() => reviewableLine(order, 'other', now, 180))).toBe('LINE_NOT_FOUND');
    const shipped = aDeliveredOrder('a1', {
      skus: [{ skuId, productId: 'p1' }],
      deliveredAt: null,
    });
    expect(code(() => reviewableLine(shipped, skuId, now, 180))).toBe('NOT_DELIVERED');
    expect(code(() => reviewableLine(order, skuId, now, 5))).toBe('REVIEW_WINDOW_CLOSED');
    expect(deliveredLines(order, now, 5)).toEqual([]);
    expect(deliveredLines(order, now, 6)).toHaveLength(1);
  });

  it('fingerprints the address as order does for risk', () => {
    expect(orderAddressFingerprint(order.address)).toBe('cn|广东省|深圳市|南山区|科技园1号|');
  });
});
