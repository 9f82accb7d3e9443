import type { Feature } from '../../feature';
import { DashboardScreen } from './dashboard';
import { messages } from './messages';

/** The dashboard (`/`, operators): orders, GMV and AOV, GMV per day, the funnel, what waits. */
export const dashboard: Feature = {
  screens: [{ path: '/', role: 'operator', component: DashboardScreen }],
  messages,
};
