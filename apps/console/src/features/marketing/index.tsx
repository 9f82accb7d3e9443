import type { Feature } from '../../feature';
import { CouponsScreen } from './coupons';
import { FlashSaleScreen, FlashSalesScreen } from './flash-sales';
import { GroupDealsScreen } from './group-deals';
import { messages } from './messages';
import { PromotionEditorScreen } from './promotion-editor';
import { PromotionsScreen } from './promotions';

/** Marketing: promotions (with the 满减 editor and its live preview), campaigns, coupons, flash sales, group deals. */
export const marketing: Feature = {
  nav: {
    labelId: 'nav.marketing',
    items: [
      { to: '/marketing/promotions', labelId: 'nav.promotions', role: 'operator' },
      { to: '/marketing/coupons', labelId: 'nav.coupons', role: 'operator' },
      { to: '/marketing/flash-sales', labelId: 'nav.flashSales', role: 'operator' },
      { to: '/marketing/group-deals', labelId: 'nav.groupDeals', role: 'operator' },
    ],
  },
  screens: [
    { path: '/marketing/promotions', role: 'operator', component: PromotionsScreen },
    { path: '/marketing/promotions/new', role: 'operator', component: PromotionEditorScreen },
    { path: '/marketing/promotions/:id', role: 'operator', component: PromotionEditorScreen },
    { path: '/marketing/coupons', role: 'operator', component: CouponsScreen },
    { path: '/marketing/flash-sales', role: 'operator', component: FlashSalesScreen },
    { path: '/marketing/flash-sales/:id', role: 'operator', component: FlashSaleScreen },
    { path: '/marketing/group-deals', role: 'operator', component: GroupDealsScreen },
  ],
  messages,
};
