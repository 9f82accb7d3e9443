import type { Feature } from '../../feature';
import { AccountsScreen } from './accounts';
import { messages } from './messages';
import { TiersScreen } from './tiers';

export const accounts: Feature = {
  nav: {
    labelId: 'nav.accounts',
    items: [{ to: '/accounts', labelId: 'nav.accounts', role: 'operator' }],
  },
  screens: [
    { path: '/accounts', role: 'operator', component: AccountsScreen },
    { path: '/accounts/tiers', role: 'operator', component: TiersScreen },
  ],
  messages,
};
