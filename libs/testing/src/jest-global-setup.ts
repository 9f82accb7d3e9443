import { provideInfrastructure } from './infrastructure';
import { deleteStaleTestTopics } from './stale-topics';

/**
 * Jest globalSetup of the integration project: real servers before any suite runs, the mail sink
 * among them (the notification service's e-mails land there; tests read them through its API).
 * Then the Kafka topics earlier runs left behind are deleted (stale-topics.ts): on long-lived
 * local servers thousands pile up until the broker no longer answers in time.
 */
export default async function globalSetup(): Promise<void> {
  const endpoints = await provideInfrastructure([
    'postgres',
    'redis',
    'kafka',
    'elasticsearch',
    'mailsink',
  ]);
  if (endpoints.KAFKA_BROKERS) await deleteStaleTestTopics(endpoints.KAFKA_BROKERS.split(','));
}
