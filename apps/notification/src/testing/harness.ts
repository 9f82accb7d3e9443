import { FakeClock, SequentialIds } from '@emporia/domain/testing';
import { silentLogger } from './silent-logger';
import { AccountSettingsUseCase } from '../application/account-settings.use-case';
import { NotifyUseCase } from '../application/notify.use-case';
import { OneTimeCodeUseCase } from '../application/one-time-code.use-case';
import { OperationsUseCase } from '../application/operations.use-case';
import type { NotificationSettings } from '../application/ports';
import { SendDeliveriesUseCase } from '../application/send-deliveries.use-case';
import {
  FakeAccounts,
  InMemoryUnitOfWork,
  newStore,
  RecordingEmail,
  RecordingProvider,
} from './in-memory';

export const TEST_SECRETS = {
  unsubscribe: 'unsubscribe-secret-for-tests-0123456789',
  receipts: 'receipt-secret-for-tests-0123456789',
};

/** Every use case over the in-memory ports, with a clock the test moves. */
export function harness(over: Partial<NotificationSettings> = {}, at = '2030-03-04T04:00:00Z') {
  const store = newStore();
  const uow = new InMemoryUnitOfWork(store);
  const clock = new FakeClock(new Date(at));
  const ids = new SequentialIds();
  const accounts = new FakeAccounts();
  const email = new RecordingEmail();
  const sms = new RecordingProvider('sandbox-sms');
  const push = new RecordingProvider('sandbox-push');
  const settings: NotificationSettings = {
    maxAttempts: 3,
    retryBaseMs: 1000,
    defaultTimeZone: 'Asia/Shanghai',
    operatorEmails: ['ops@emporia.test'],
    publicBaseUrl: 'https://shop.example/',
    unsubscribeSecret: TEST_SECRETS.unsubscribe,
    receiptSecrets: { 'sandbox-sms': TEST_SECRETS.receipts, 'sandbox-push': TEST_SECRETS.receipts },
    sendBatch: 10,
    claimLeaseMs: 60_000,
    ...over,
  };
  const random = () => 0;
  return {
    store,
    uow,
    clock,
    accounts,
    email,
    sms,
    push,
    settings,
    notify: new NotifyUseCase(uow, accounts, clock, ids, settings, sms, push),
    sender: new SendDeliveriesUseCase(uow, email, sms, push, clock, random, settings, silentLogger),
    account: new AccountSettingsUseCase(uow, clock, settings),
    ops: new OperationsUseCase(uow, clock, settings),
    codes: new OneTimeCodeUseCase(uow, clock, ids, sms, null),
    deliveries: () => [...store.deliveries.values()],
  };
}
