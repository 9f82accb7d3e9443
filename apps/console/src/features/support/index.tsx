import type { Feature } from '../../feature';
import { DeskScreen } from './desk';
import { KpisScreen } from './kpis';
import { messages } from './messages';
import { TicketScreen } from './ticket';

export const support: Feature = {
  nav: {
    labelId: 'nav.support',
    items: [{ to: '/support', labelId: 'nav.support', role: 'agent' }],
  },
  screens: [
    { path: '/support', role: 'agent', component: DeskScreen },
    { path: '/support/tickets/:id', role: 'agent', component: TicketScreen },
    { path: '/support/kpis', role: 'operator', component: KpisScreen },
  ],
  messages,
};
