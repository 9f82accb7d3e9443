import type { Feature } from '../../feature';
import { placeholder } from '../placeholder';
import { messages } from './messages';

export const dashboard: Feature = {
  screens: [{ path: '/', role: 'operator', component: placeholder('Dashboard') }],
  messages,
};
