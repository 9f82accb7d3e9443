import type { Feature } from '../../feature';
import { placeholder } from '../placeholder';
import { messages } from './messages';

export const accounts: Feature = {
  nav: {
    labelId: 'nav.accounts',
    items: [{ to: '/accounts', labelId: 'nav.accounts', role: 'operator' }],
  },
  screens: [{ path: '/accounts', role: 'operator', component: placeholder('Accounts') }],
  messages,
};
