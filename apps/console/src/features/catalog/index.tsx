import type { Feature } from '../../feature';
import { CategoriesScreen } from './categories';
import { LowStockScreen } from './low-stock';
import { messages } from './messages';
import { ProductDetailScreen } from './product-detail';
import { ProductsScreen } from './products';

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
    { path: '/catalog/categories', role: 'operator', component: CategoriesScreen },
    { path: '/catalog/products', role: 'operator', component: ProductsScreen },
    { path: '/catalog/products/:id', role: 'operator', component: ProductDetailScreen },
    { path: '/catalog/low-stock', role: 'operator', component: LowStockScreen },
  ],
  messages,
};
