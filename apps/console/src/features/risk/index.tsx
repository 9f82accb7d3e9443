import type { Feature } from '../../feature';
import { DecisionsScreen } from './decisions';
import { ListsScreen } from './lists';
import { messages } from './messages';
import { RulesScreen } from './rules';

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
    { path: '/risk/rules', role: 'operator', component: RulesScreen },
    { path: '/risk/lists', role: 'operator', component: ListsScreen },
    { path: '/risk/decisions', role: 'operator', component: DecisionsScreen },
  ],
  messages,
};
