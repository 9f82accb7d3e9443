import type { Feature } from '../../feature';
import { placeholder } from '../placeholder';
import { messages } from './messages';

export const support: Feature = {
  nav: {
    labelId: 'nav.support',
    items: [{ to: '/support', labelId: 'nav.support', role: 'agent' }],
  },
  screens: [{ path: '/support', role: 'agent', component: placeholder('Support') }],
  messages,
};
