import type { Feature } from '../../feature';
import { placeholder } from '../placeholder';
import { messages } from './messages';

export const risk: Feature = {
  nav: {
    labelId: 'nav.risk',
    items: [
      { to: '/risk/rules', labelId: 'nav.riskRules', role: 'operator' },
      { to: '/risk/lists', labelId: 'nav.riskLists', role: 'operator' },
      { to: '/risk/decisions', labelId: 'nav.riskDecisions', role: 'operator' },
    ],
  },
  screens: [
    { path: '/risk/rules', role: 'operator', component: placeholder('Rules') },
    { path: '/risk/lists', role: 'operator', component: placeholder('Lists') },
    { path: '/risk/decisions', role: 'operator', component: placeholder('Decisions') },
  ],
  messages,
};
