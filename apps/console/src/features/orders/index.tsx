import type { Feature } from '../../feature';
import { placeholder } from '../placeholder';
import { messages } from './messages';

export const orders: Feature = {
  nav: {
    labelId: 'nav.orders',
    items: [
      { to: '/orders', labelId: 'nav.orders', role: 'operator' },
      { to: '/orders/held', labelId: 'nav.heldOrders', role: 'operator' },
      { to: '/orders/returns', labelId: 'nav.returns', role: 'operator' },
    ],
  },
  screens: [
    { path: '/orders', role: 'operator', component: placeholder('Orders') },
    { path: '/orders/held', role: 'operator', component: placeholder('Held') },
    { path: '/orders/returns', role: 'operator', component: placeholder('Returns') },
  ],
  messages,
};
