import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { OutboxUnitOfWork } from '@emporia/messaging';
import type { Clock, IdGenerator, NotificationTx, UnitOfWork } from '../application/ports';
import {
  SqlDeliveryRepository,
  SqlPreferencesRepository,
  SqlPushDeviceRepository,
  SqlTemplateRepository,
} from './sql-notification.repositories';

/**
 * One transaction per step; `runForEvent` writes the inbox row in it. The service publishes no
 * events, so nothing is ever drained to the outbox.
 */
export class TypeormUnitOfWork extends OutboxUnitOfWork<NotificationTx> implements UnitOfWork {
  protected open(manager: EntityManager) {
    return {
      tx: {
        deliveries: new SqlDeliveryRepository(manager),
        preferences: new SqlPreferencesRepository(manager),
        devices: new SqlPushDeviceRepository(manager),
        templates: new SqlTemplateRepository(manager),
      },
      drain: () => [],
    };
  }
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };
