import { userV1 } from '@emporia/contracts';
import { NonRetriableError, type ReceivedEvent } from '@emporia/messaging';
import type { RiskUseCase } from '../application/risk.use-case';

/** `user.account`: a LoginAnomaly marks the account for the LOGIN_ANOMALY rules; other types are ignored. */
export function userEventsHandler(risk: RiskUseCase) {
  return async (event: ReceivedEvent): Promise<void> => {
    if (event.eventType !== 'emporia.user.v1.LoginAnomaly') return;
    let m: userV1.LoginAnomaly;
    try {
      m = userV1.LoginAnomaly.decode(event.value);
    } catch (e) {
      throw new NonRetriableError(`cannot decode LoginAnomaly: ${(e as Error).message}`);
    }
    const at = new Date(m.detectedAt);
    if (!m.accountId || Number.isNaN(at.getTime()))
      throw new NonRetriableError('LoginAnomaly without an account or a time');
    // the event id is the set member: a redelivery changes nothing
    await risk.onLoginAnomaly(m.accountId, event.eventId, at);
  };
}
