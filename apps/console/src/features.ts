import type { Feature } from './feature';
import { accounts } from './features/accounts';
import { catalog } from './features/catalog';
import { dashboard } from './features/dashboard';
import { marketing } from './features/marketing';
import { orders } from './features/orders';
import { risk } from './features/risk';
import { search } from './features/search';
import { support } from './features/support';

/** The console's parts, in menu order. */
export const FEATURES: Feature[] = [
  dashboard,
  catalog,
  orders,
  marketing,
  risk,
  search,
  accounts,
  support,
];
