import { USER_ACCOUNT } from '@emporia/contracts';
import { NonRetriableError, on, type TopicRoute } from '@emporia/messaging';
import type { RiskUseCase } from '../application/risk.use-case';

/** `user.account`: a LoginAnomaly marks the account for the LOGIN_ANOMALY rules; other types are ignored. */
export function userEventsRoute(risk: RiskUseCase): TopicRoute {
  return on(USER_ACCOUNT, {
    LoginAnomaly: async (m, event) => {
      const at = new Date(m.detectedAt);
      if (!m.accountId || Number.isNaN(at.getTime()))
        throw new NonRetriableError('LoginAnomaly without an account or a time');
      // the event id is the set member: a redelivery changes nothing
      await risk.onLoginAnomaly(m.accountId, event.eventId, at);
    },
  });
}
