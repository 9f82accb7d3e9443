import type { Feature } from '../../feature';
import { placeholder } from '../placeholder';
import { messages } from './messages';

export const catalog: Feature = {
  nav: {
    labelId: 'nav.catalog',
    items: [
      { to: '/catalog/categories', labelId: 'nav.categories', role: 'operator' },
      { to: '/catalog/products', labelId: 'nav.products', role: 'operator' },
      { to: '/catalog/low-stock', labelId: 'nav.lowStock', role: 'operator' },
    ],
  },
  screens: [
    { path: '/catalog/categories', role: 'operator', component: placeholder('Categories') },
    { path: '/catalog/products', role: 'operator', component: placeholder('Products') },
    { path: '/catalog/low-stock', role: 'operator', component: placeholder('Low stock') },
  ],
  messages,
};
