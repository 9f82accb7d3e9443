import { provideInfrastructure } from './infrastructure';

/** Jest globalSetup of the integration project: real servers before any suite runs. */
export default async function globalSetup(): Promise<void> {
  await provideInfrastructure(['postgres', 'redis', 'kafka', 'elasticsearch']);
}
