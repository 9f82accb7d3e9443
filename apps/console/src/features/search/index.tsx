import type { Feature } from '../../feature';
import { placeholder } from '../placeholder';
import { messages } from './messages';

export const search: Feature = {
  nav: {
    labelId: 'nav.search',
    items: [
      { to: '/search/synonyms', labelId: 'nav.synonyms', role: 'operator' },
      { to: '/search/queries', labelId: 'nav.queries', role: 'operator' },
      { to: '/search/reindex', labelId: 'nav.reindex', role: 'operator' },
    ],
  },
  screens: [
    { path: '/search/synonyms', role: 'operator', component: placeholder('Synonyms') },
    { path: '/search/queries', role: 'operator', component: placeholder('Queries') },
    { path: '/search/reindex', role: 'operator', component: placeholder('Reindex') },
  ],
  messages,
};
