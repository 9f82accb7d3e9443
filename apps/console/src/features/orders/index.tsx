import type { Feature } from '../../feature';
import { OrderDetailScreen } from './detail';
import { HeldOrdersScreen, OrdersScreen } from './list';
import { messages } from './messages';
import { ReturnsScreen } from './returns';

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
    { path: '/orders', role: 'operator', component: OrdersScreen },
    { path: '/orders/held', role: 'operator', component: HeldOrdersScreen },
    { path: '/orders/returns', role: 'operator', component: ReturnsScreen },
    { path: '/orders/:id', role: 'operator', component: OrderDetailScreen },
  ],
  messages,
};
