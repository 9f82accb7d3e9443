import type { Feature } from '../../feature';
import { messages } from './messages';
import { QueriesScreen } from './queries';
import { ReindexScreen } from './reindex';
import { SynonymsScreen } from './synonyms';

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
    { path: '/search/synonyms', role: 'operator', component: SynonymsScreen },
    { path: '/search/queries', role: 'operator', component: QueriesScreen },
    { path: '/search/reindex', role: 'operator', component: ReindexScreen },
  ],
  messages,
};
