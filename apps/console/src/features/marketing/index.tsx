import type { Feature } from '../../feature';
import { placeholder } from '../placeholder';
import { messages } from './messages';

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
    { path: '/marketing/promotions', role: 'operator', component: placeholder('Promotions') },
    { path: '/marketing/coupons', role: 'operator', component: placeholder('Coupons') },
    { path: '/marketing/flash-sales', role: 'operator', component: placeholder('Flash sales') },
    { path: '/marketing/group-deals', role: 'operator', component: placeholder('Group deals') },
  ],
  messages,
};
