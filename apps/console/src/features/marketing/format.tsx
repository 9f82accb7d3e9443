import { useIntl } from 'react-intl';
import { useT } from '../../i18n';
import { toMajor, type MoneyValue } from '../../ui/money';
import type { PromotionView } from './promotion-draft';
import { windowStatus } from './shared';

/** Money and times in the console's language. */
export function useFormat() {
  const intl = useIntl();
  const money = (m: MoneyValue | null | undefined) =>
    m ? intl.formatNumber(toMajor(m), { style: 'currency', currency: m.currency }) : '—';
  const time = (iso: string | null | undefined) =>
    iso ? intl.formatDate(iso, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
  return { money, time, number: (n: number) => intl.formatNumber(n) };
}

/** A promotion's action in a few words: 满¥300.00减¥50.00, 15% off (at most ¥20.00), … */
export function useDescribeAction() {
  const t = useT();
  const { money } = useFormat();
  return (a: PromotionView['action']) => {
    switch (a.kind) {
      case 'TIERED_REDUCTION':
        return a.tiers
          .map((x) =>
            t('marketing.describe.tier', { threshold: money(x.threshold), off: money(x.off) }),
          )
          .join(t('marketing.describe.sep'));
      case 'EVERY_REDUCTION':
        return t('marketing.describe.every', {
          every: money(a.every),
          off: money(a.amount),
          cap: a.cap ? money(a.cap) : 'none',
        });
      case 'AMOUNT_OFF':
        return t('marketing.describe.amount', { off: money(a.amount) });
      case 'PERCENT_OFF':
        return t('marketing.describe.percent', {
          percent: a.basisPoints / 100,
          cap: a.cap ? money(a.cap) : 'none',
        });
      case 'BUY_X_GET_Y':
        return t('marketing.describe.buyGet', { buy: a.buy, free: a.free });
      case 'GIFT':
        return t('marketing.describe.gift', { quantity: a.quantity });
      case 'MEMBER_PRICE':
        return t('marketing.describe.memberPrice', { price: money(a.amount) });
      case 'FREE_SHIPPING':
        return t('marketing.kind.FREE_SHIPPING');
      default:
        return a.kind;
    }
  };
}

/** A promotion's status now: stopped, scheduled, running or ended. */
export function promotionStatus(
  p: Pick<PromotionView, 'active' | 'startsAt' | 'endsAt'>,
): 'INACTIVE' | 'SCHEDULED' | 'LIVE' | 'ENDED' {
  if (!p.active) return 'INACTIVE';
  return windowStatus(p.startsAt, p.endsAt);
}

export const STATUS_BADGE: Record<string, string> = {
  LIVE: 'badge ok',
  SCHEDULED: 'badge warn',
  ENDED: 'badge',
  INACTIVE: 'badge danger',
};
