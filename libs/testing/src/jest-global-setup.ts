import { provideInfrastructure } from './infrastructure';

/**
 * Jest globalSetup of the integration project: real servers before any suite runs, the mail sink
 * among them (the notification service's e-mails land there; tests read them through its API).
 */
export default async function globalSetup(): Promise<void> {
  await provideInfrastructure(['postgres', 'redis', 'kafka', 'elasticsearch', 'mailsink']);
}
